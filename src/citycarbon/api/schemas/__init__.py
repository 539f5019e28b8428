"""Request and response schemas of the JSON API, one module per resource (tables live in ``store``)."""
