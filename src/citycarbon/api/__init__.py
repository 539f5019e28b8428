"""FastAPI adapter: routers and API schemas; routes parse, call a service and render."""
