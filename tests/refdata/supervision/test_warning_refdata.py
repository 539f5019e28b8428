"""The supervision datasets load, keep their sources, and refuse inconsistent rules."""

from __future__ import annotations

import pytest

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.refdata import supervision
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.supervision import (
    PollutantLimitRow,
    WarningRuleRow,
    load_limit_profiles,
    load_rule_set,
)


def test_limit_profiles_are_in_canonical_units_with_sources() -> None:
    profiles, factor_set = load_limit_profiles()
    assert factor_set == "pollutant_limits@2026.1"
    coal = {(limit.pollutant, limit.measure): limit for limit in profiles["gb13223_coal_boiler_new"]}
    assert coal[("so2", "concentration")].limit_value == 100.0
    assert coal[("so2", "concentration")].unit == "mg/m3"
    assert all(limit.status.startswith("UNVERIFIED") for limits in profiles.values() for limit in limits)
    assert {limit.medium for limit in profiles["gb8978_grade1"]} == {"water"}


def test_every_rule_kind_is_shipped_with_growing_thresholds() -> None:
    rules = load_rule_set()
    assert rules.rule_set == "warning_rules@2026.1"
    kinds = {rule.kind for rule in rules.rules}
    assert kinds == {
        "limit_exceeded",
        "intensity_above_benchmark",
        "emissions_yoy_rise",
        "energy_yoy_rise",
        "data_gap",
        "missing_report",
        "electricity_mismatch",
        "energy_output_divergence",
    }
    for rule in rules.rules:
        values = [threshold for _, threshold in rule.tiers]
        assert values == sorted(values)


def test_rows_carry_source_and_status() -> None:
    assert all(row.source for row in load_dataset("warning_rules", "rules.csv", WarningRuleRow).rows)
    assert all(row.source for row in load_dataset("pollutant_limits", "limits.csv", PollutantLimitRow).rows)


def test_a_rule_set_whose_thresholds_fall_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_dataset("warning_rules", "rules.csv", WarningRuleRow)
    rows = [
        row.model_copy(update={"threshold": 5.0})
        if row.severity == "high" and row.rule_id == "data_gap"
        else row
        for row in real.rows
    ]
    fake = type(real)(manifest=real.manifest, rows=tuple(rows))
    monkeypatch.setattr(supervision, "load_dataset", lambda *args, **kwargs: fake)
    load_rule_set.cache_clear()
    try:
        with pytest.raises(ReferenceDataError, match="data_gap"):
            load_rule_set()
    finally:
        load_rule_set.cache_clear()
