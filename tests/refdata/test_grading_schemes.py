"""The shipped grading schemes match the reference thresholds and carry their status."""

from __future__ import annotations

import pytest

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.refdata.grading import load_grading_scheme, load_grading_schemes, load_watch_rules


def limits(code: str, dimension: int = 0) -> list[tuple[float | None, float | None]]:
    bands = load_grading_scheme(code).grade_dimensions[dimension].bands
    return [(band.lower_exclusive, band.upper_inclusive) for band in bands]


def test_huzhou_k_bands_and_levels_are_the_reference_values() -> None:
    assert limits("huzhou") == [(None, 0.6), (0.6, 0.8), (0.8, 1.2), (1.2, 2.0), (2.0, None)]
    level = load_grading_scheme("huzhou").level_dimension
    assert level is not None
    assert [(b.code, b.lower_exclusive, b.upper_inclusive) for b in level.bands] == [
        ("low", None, 0.6),
        ("medium", 0.6, 2.0),
        ("high", 2.0, None),
    ]
    assert load_grading_scheme("huzhou").status == "PARTIAL"


def test_quzhou_has_four_colours_in_three_dimensions_and_is_unverified() -> None:
    scheme = load_grading_scheme("quzhou")
    assert scheme.status == "UNVERIFIED"
    assert [d.name for d in scheme.grade_dimensions] == [
        "industry_advancement",
        "regional_contribution",
        "historical_decline",
    ]
    assert [b.label_zh for b in scheme.ranks] == ["深绿", "浅绿", "黄", "红"]


def test_unknown_scheme_names_the_shipped_ones() -> None:
    assert set(load_grading_schemes()) == {"huzhou", "quzhou"}
    with pytest.raises(ReferenceDataError, match="huzhou, quzhou"):
        load_grading_scheme("hangzhou")


def test_watch_rules_load() -> None:
    rules = {rule.rule_code: rule for rule in load_watch_rules()}
    assert rules["high_consumption_low_efficiency"].grades == (4, 5)
    assert rules["low_output_per_mu"].percentile_scope == "county"
