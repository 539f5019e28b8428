"""Load the supervision reference data: outlet limit profiles and the warning rule set.

Both are versioned, sealed datasets (ADR 0002). Limits are kept in the unit written on each row
and converted to the measure's canonical unit here, once, so outlets store comparable numbers;
the rule set is checked for consistent ids, versions and severity thresholds at load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import Field

from citycarbon.domain.errors import ReferenceDataError, UnitError
from citycarbon.domain.supervision.monitoring import (
    POLLUTANTS,
    Measure,
    Medium,
    canonical_unit,
    classify_unit,
)
from citycarbon.domain.supervision.warning_rules import RuleKind, Severity, WarningRule, check_tiers
from citycarbon.domain.units import conversion_factor
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import Status, Strict, UnitString

LIMITS_DATASET = "pollutant_limits"
RULES_DATASET = "warning_rules"


class PollutantLimitRow(Strict):
    """One row of ``limits.csv``: the limit of one pollutant and measure in one limit profile."""

    profile_code: str = Field(pattern=r"^[a-z0-9_]+$")
    standard_code: str = Field(min_length=1)
    medium: Medium
    pollutant: str
    measure: Literal["concentration", "mass_rate"]
    value: float = Field(gt=0)
    unit: UnitString
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str = ""


class WarningRuleRow(Strict):
    """One row of ``rules.csv``: the threshold of one severity of one rule."""

    rule_id: str = Field(pattern=r"^[a-z0-9_]+$")
    rule_version: str = Field(min_length=1)
    kind: RuleKind
    severity: Severity
    threshold: float = Field(ge=0)
    unit: Literal["dimensionless"]
    window: Literal["day", "period", "gap"]
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str = ""


@dataclass(frozen=True, slots=True)
class ProfileLimit:
    """A limit of a profile in the canonical unit of its measure."""

    profile_code: str
    standard_code: str
    medium: Medium
    pollutant: str
    measure: Measure
    limit_value: float
    unit: str
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one dataset version, and its ``dataset@version`` identifier."""

    rules: tuple[WarningRule, ...]
    rule_set: str

    def by_kind(self, kind: RuleKind) -> tuple[WarningRule, ...]:
        """Rules of one kind (a centre may run several variants of a kind)."""
        return tuple(rule for rule in self.rules if rule.kind == kind)


@cache
def load_limit_profiles(version: str | None = None) -> tuple[dict[str, tuple[ProfileLimit, ...]], str]:
    """Return limits by profile code (canonical units) and the set's ``dataset@version``.

    Raises
    ------
    ReferenceDataError
        When a row names an unknown pollutant, a pollutant of the other medium, or a unit that
        does not fit its measure.

    References
    ----------
    GB 13223-2011, GB 16297-1996, GB 8978-1996 (values UNVERIFIED, see the manifest).

    """
    dataset = load_dataset(LIMITS_DATASET, "limits.csv", PollutantLimitRow, version)
    profiles: dict[str, list[ProfileLimit]] = defaultdict(list)
    for row in dataset.rows:
        if row.pollutant not in POLLUTANTS or POLLUTANTS[row.pollutant][0] != row.medium:
            raise ReferenceDataError(
                "{dataset}: pollutant {pollutant} is not monitored in {medium}",
                dataset=dataset.factor_set,
                pollutant=row.pollutant,
                medium=row.medium,
            )
        try:
            measure = classify_unit(row.unit)
        except UnitError as error:
            raise ReferenceDataError(
                "{dataset}: {error}", dataset=dataset.factor_set, error=str(error)
            ) from None
        if measure != row.measure:
            raise ReferenceDataError(
                "{dataset}: unit {unit} is not a {measure}",
                dataset=dataset.factor_set,
                unit=row.unit,
                measure=row.measure,
            )
        unit = canonical_unit(row.measure, row.medium)
        profiles[row.profile_code].append(
            ProfileLimit(
                row.profile_code,
                row.standard_code,
                row.medium,
                row.pollutant,
                row.measure,
                row.value * conversion_factor(row.unit, unit),
                unit,
                row.source,
                row.status,
            )
        )
    return {code: tuple(limits) for code, limits in profiles.items()}, dataset.factor_set


@cache
def load_rule_set(version: str | None = None) -> RuleSet:
    """Return the warning rules of ``version`` (newest by default).

    Raises
    ------
    ReferenceDataError
        When a rule id appears with two versions or kinds, or its thresholds do not grow with
        severity.

    """
    dataset = load_dataset(RULES_DATASET, "rules.csv", WarningRuleRow, version)
    grouped: dict[str, list[WarningRuleRow]] = defaultdict(list)
    for row in dataset.rows:
        grouped[row.rule_id].append(row)
    rules = []
    for rule_id, rows in grouped.items():
        if len({(row.rule_version, row.kind) for row in rows}) != 1:
            raise ReferenceDataError(
                "{dataset}: rule {rule_id} appears with more than one version or kind",
                dataset=dataset.factor_set,
                rule_id=rule_id,
            )
        try:
            tiers = check_tiers(rule_id, [(row.severity, row.threshold) for row in rows])
        except ValueError as error:
            raise ReferenceDataError(
                "{dataset}: {error}", dataset=dataset.factor_set, error=str(error)
            ) from None
        rules.append(WarningRule(rule_id, rows[0].rule_version, rows[0].kind, tiers))
    return RuleSet(tuple(rules), dataset.factor_set)
