"""Carbon efficiency (碳效): grading schemes, benchmark settings, watch-list rules, card claims.

Pure rules only — the vectorised rating lives in :mod:`citycarbon.engines.efficiency` and the
shipped schemes in the ``grading_schemes`` reference dataset.
"""
