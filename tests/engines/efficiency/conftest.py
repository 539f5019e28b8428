"""Builders of small firm frames for the efficiency engine tests: the ``kit`` fixture."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

from citycarbon.domain.efficiency.settings import BenchmarkSettings, WatchRule
from citycarbon.engines.efficiency.intensities import FIRM_SCHEMA
from citycarbon.engines.efficiency.pipeline import RatingResult, rate_firms
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme

DEFAULTS: dict[str, Any] = {
    "period": "2024",
    "industry_code": "C3411",
    "region_code": "331002",
    "area_mu": 10.0,
    "emissions_tco2e": 100.0,
    "energy_tce": 40.0,
    "output_value_10k_cny": 500.0,
    "value_added_10k_cny": 100.0,
    "has_production": True,
    "product_output": None,
    "product_unit": None,
}


def firms(*rows: dict[str, Any]) -> pl.DataFrame:
    """One firm per dict; ids 1, 2, … unless given; missing columns take :data:`DEFAULTS`."""
    filled = [{"organisation_id": i, **DEFAULTS, **row} for i, row in enumerate(rows, start=1)]
    return pl.DataFrame(filled, schema=FIRM_SCHEMA)


def rate(
    frame: pl.DataFrame,
    scheme: str = "huzhou",
    settings: BenchmarkSettings | None = None,
    rules: tuple[WatchRule, ...] = (),
    official: pl.DataFrame | None = None,
) -> RatingResult:
    return rate_firms(
        frame,
        industries=load_industry_catalogue(),
        regions=load_region_catalogue(),
        scheme=load_grading_scheme(scheme),
        settings=settings or BenchmarkSettings(min_peers=3),
        rules=rules,
        official_benchmarks=official,
    )


def by_id(frame: pl.DataFrame, period: str = "2024") -> dict[int, dict[str, Any]]:
    return {
        row["organisation_id"]: row for row in frame.filter(pl.col("period") == period).iter_rows(named=True)
    }


@pytest.fixture
def kit() -> SimpleNamespace:
    """``kit.firms(...)``, ``kit.rate(frame, ...)`` and ``kit.by_id(frame)``."""
    return SimpleNamespace(firms=firms, rate=rate, by_id=by_id)
