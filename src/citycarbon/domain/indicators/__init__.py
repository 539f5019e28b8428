"""Indicator trees defined as data: formulas, normalisation, weighting, aggregation, missing-data rules.

A definition (YAML or the shipped CSV) is validated once, at load, into an
:class:`~citycarbon.domain.indicators.tree.IndicatorTree`; every malformed part is reported with
its location, so an evaluation never starts from a tree that cannot be computed.
"""
