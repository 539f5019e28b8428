"""Routers of the JSON API, one per resource; each route parses, calls a service and renders."""
