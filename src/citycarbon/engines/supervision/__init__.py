"""Vectorised supervision engines: data-gap detection and warning rules over monitoring frames."""
