"""The ways in: HTTP (FastAPI), web pages and the `custody` command line."""
