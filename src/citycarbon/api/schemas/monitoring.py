"""Schemas of monitoring data and warnings: outlets with limits, readings, gaps, warnings, runs."""

from __future__ import annotations

from citycarbon.api.schemas.common import Schema, UtcDateTime


class LimitOut(Schema):
    """A permitted limit of one pollutant at an outlet, in the measure's canonical unit."""

    pollutant_code: str
    measure: str
    limit_value: float
    unit: str
    standard_code: str
    factor_set: str
    status: str


class OutletOut(Schema):
    """A discharge outlet with its expected reporting interval [s] and limits."""

    outlet_id: int
    organisation_id: int
    organisation_name: str
    site_code: str
    outlet_code: str
    name: str | None
    medium: str
    expected_interval_s: int
    limits: list[LimitOut]


class ReadingOut(Schema):
    """One current reading; ``value`` in ``unit`` (canonical), as reported in ``reported_unit``."""

    pollutant_code: str
    measure: str
    observed_at: UtcDateTime
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    source: str
    revision: int
    received_at: UtcDateTime


class GapOut(Schema):
    """A data gap (断传); ``ended_at`` is null while the outlet is still silent."""

    gap_id: int
    outlet_id: int
    started_at: UtcDateTime
    ended_at: UtcDateTime | None
    missing_intervals: int


class MonitoringImportOut(Schema):
    """What a monitoring import wrote."""

    kind: str
    file_name: str
    encoding: str
    rows: int
    written: int
    skipped: int
    revised: int
    already_imported: bool


class EvidenceOut(Schema):
    """One number (with unit) or code that triggered a warning."""

    name: str
    value_number: float | None
    value_text: str | None
    unit: str | None


class WarningOut(Schema):
    """A warning: rule and version, severity, subject, period or time window, evidence."""

    warning_id: int
    rule_id: str
    rule_version: str
    rule_set: str
    kind: str
    severity: str
    organisation_id: int
    organisation_name: str
    region_code: str
    site_id: int | None
    outlet_id: int | None
    pollutant_code: str | None
    period_code: str | None
    window_start_at: UtcDateTime | None
    window_end_at: UtcDateTime | None
    first_detected_at: UtcDateTime
    last_detected_at: UtcDateTime
    evidence: list[EvidenceOut]


class WarningRunOut(Schema):
    """What one evaluation of the rule set found."""

    run_id: int | None
    period_code: str | None
    rule_set: str
    found_by_rule: dict[str, int]
    new_count: int
    cases_opened: int
