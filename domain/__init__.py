"""CareLedger's domain: aggregates, their rules, and the use cases that record events."""
