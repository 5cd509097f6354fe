"""The browser UI: server-rendered pages over the same use cases and read models as the API."""
