"""Vectorised evaluation of indicator trees over a facts frame (Polars)."""
