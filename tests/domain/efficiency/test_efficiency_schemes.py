"""Grading schemes as values: band edges, validation of band sets, worst-rank combination."""

from __future__ import annotations

import doctest

import pytest

import citycarbon.domain.efficiency.card
import citycarbon.domain.efficiency.reasons
import citycarbon.domain.efficiency.schemes
import citycarbon.domain.efficiency.settings
from citycarbon.domain.efficiency.schemes import Band, Dimension, GradingScheme
from citycarbon.domain.efficiency.settings import BenchmarkSettings, WatchRule, year_earlier
from citycarbon.domain.errors import ReferenceDataError


def dimension(*limits: float, name: str = "relative") -> Dimension:
    edges = [None, *limits, None]
    bands = tuple(
        Band(str(i + 1), i + 1, edges[i], edges[i + 1], f"{i + 1}级", f"grade {i + 1}", f"c{i + 1}")
        for i in range(len(edges) - 1)
    )
    return Dimension(name, "k_industry", bands)


def test_upper_limit_is_inclusive() -> None:
    relative = dimension(0.6, 0.8, 1.2, 2.0)
    assert [relative.band_for(k).rank for k in (0.6, 0.6000001, 0.8, 1.2, 2.0, 2.0001)] == [1, 2, 2, 3, 4, 5]
    assert relative.band_for(None) is None
    assert relative.band_for(float("nan")) is None


def test_bands_with_a_gap_or_bad_ranks_are_refused() -> None:
    gap = Dimension(
        "relative", "k_industry", (Band("1", 1, None, 0.6, "a", "a"), Band("2", 2, 0.7, None, "b", "b"))
    )
    with pytest.raises(ReferenceDataError, match="does not start"):
        GradingScheme("x", "1", "x", "x", (gap,), None, "UNVERIFIED")
    skipped = Dimension(
        "relative", "k_industry", (Band("1", 1, None, 0.6, "a", "a"), Band("3", 3, 0.6, None, "b", "b"))
    )
    with pytest.raises(ReferenceDataError, match="ranks"):
        GradingScheme("x", "1", "x", "x", (skipped,), None, "UNVERIFIED")
    closed = Dimension(
        "relative", "k_industry", (Band("1", 1, 0.0, 0.6, "a", "a"), Band("2", 2, 0.6, None, "b", "b"))
    )
    with pytest.raises(ReferenceDataError, match="open band"):
        GradingScheme("x", "1", "x", "x", (closed,), None, "UNVERIFIED")


def test_grade_is_worst_rank_and_needs_the_first_dimension() -> None:
    scheme = GradingScheme(
        "x", "1", "x", "x", (dimension(1.0), dimension(1.0, name="trend")), None, "UNVERIFIED"
    )
    assert scheme.grade_for({"k_industry": 0.5}).rank == 1
    assert scheme.grade_for({"k_industry": 1.5}).rank == 2
    assert scheme.grade_for({}) is None


def test_settings_fallback_levels_and_rule_needs_a_condition() -> None:
    assert BenchmarkSettings().levels == ("class", "group", "division")
    assert BenchmarkSettings(level="group").levels == ("group", "division")
    with pytest.raises(ValueError, match="no condition"):
        WatchRule(rule_code="empty", name_zh="空", name_en="empty")
    assert year_earlier("2024-Q2") == "2023-Q2"


@pytest.mark.parametrize(
    "module",
    [
        citycarbon.domain.efficiency.card,
        citycarbon.domain.efficiency.reasons,
        citycarbon.domain.efficiency.schemes,
        citycarbon.domain.efficiency.settings,
    ],
)
def test_docstring_examples_run(module: object) -> None:
    failures, _ = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert failures == 0
