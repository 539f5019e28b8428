"""citycarbon: the open platform a city's carbon management service centre runs."""

__version__ = "0.1.0"
