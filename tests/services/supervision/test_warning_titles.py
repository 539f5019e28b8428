"""Warnings and the cases they open carry titles in words, not rule ids."""

from __future__ import annotations

import datetime as dt

from citycarbon.domain.supervision.warning_rules import RULE_KINDS, RULE_LABELS
from citycarbon.i18n import translator
from citycarbon.services.warnings import warning_title
from citycarbon.store.monitoring_tables import SupervisionWarning


def test_every_rule_kind_has_a_translated_label() -> None:
    zh = translator("zh_CN")
    assert set(RULE_LABELS) == set(RULE_KINDS)
    assert all(zh(label) != label for label in RULE_LABELS.values())


def test_title_names_the_finding_the_pollutant_and_the_china_day() -> None:
    # 2024-12-31 17:00 UTC is 2025-01-01 01:00 in China: the title shows the local day.
    start = dt.datetime(2024, 12, 31, 17, tzinfo=dt.UTC)
    warning = SupervisionWarning(
        kind="limit_exceeded", rule_id="limit_exceeded", pollutant_code="nox", window_start_at=start
    )
    assert warning_title(warning) == "污染物排放超标 · 氮氧化物 2025-01-01"


def test_title_of_a_period_rule_names_the_period() -> None:
    warning = SupervisionWarning(
        kind="electricity_mismatch", rule_id="electricity_mismatch", period_code="2024-12"
    )
    assert warning_title(warning) == "申报用电量与电网数据不符 · 2024-12"
