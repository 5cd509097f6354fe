"""The HTTP API of API.md: one controller module per resource."""
