"""Vectorised calculators: Polars/Arrow frames in, frames out; never ORM objects, never row loops."""
