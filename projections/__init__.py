"""Read models: projections of the event log into SQLite tables (sqlite-utils), applied exactly once."""
