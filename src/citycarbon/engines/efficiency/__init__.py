"""Vectorised carbon-efficiency rating: intensities, benchmarks, grades, watch-lists, roll-ups.

Every step takes and returns Polars frames with one row per organisation and period, so a
whole province (or three periods of it) is rated with column expressions and a handful of
group-bys; Python runs only once per distinct industry or region code.
"""
