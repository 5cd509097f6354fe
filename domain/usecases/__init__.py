"""The use cases, one module per aggregate noun: each loads what it needs, decides, and saves in one save()."""
