"""Warning rules as values: what a rule watches, and the threshold that raises each severity.

A rule is data (the ``warning_rules`` reference dataset): an id, a version, the kind of check
and one threshold per severity it can raise. The highest severity whose threshold the measured
value reaches wins, so thresholds must grow with severity; a rule whose thresholds do not is
refused when the rule set is loaded, before it can rank a warning the wrong way round.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Literal, get_args

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

RuleKind = Literal[
    "limit_exceeded",
    "intensity_above_benchmark",
    "emissions_yoy_rise",
    "energy_yoy_rise",
    "data_gap",
    "missing_report",
    "electricity_mismatch",
    "energy_output_divergence",
]
RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)
#: What each kind of rule found, in words (English msgids, translated in the po file): the
#: title of warnings and of the cases they open, where a rule id would mean nothing to a reader.
RULE_LABELS: dict[str, str] = {
    "limit_exceeded": "Emission limit exceeded",
    "intensity_above_benchmark": "Carbon intensity above the industry benchmark",
    "emissions_yoy_rise": "Sharp year-on-year rise in emissions",
    "energy_yoy_rise": "Sharp year-on-year rise in energy use",
    "data_gap": "Monitoring data interrupted",
    "missing_report": "Report not submitted",
    "electricity_mismatch": "Reported electricity differs from grid-company data",
    "energy_output_divergence": "Energy use and output value diverge",
}

MSG_THRESHOLDS_ORDER = (
    "Rule {rule_id}: the threshold of severity {severity} must be higher than that of {lower}"
)


@dataclass(frozen=True, slots=True)
class WarningRule:
    """One rule of a rule set.

    Parameters
    ----------
    rule_id
        Stable identifier, part of every warning's fingerprint.
    rule_version
        Version of the rule's logic and thresholds; a changed threshold is a new version.
    kind
        Which check the engine runs.
    tiers
        ``(severity, threshold)`` pairs, lowest severity first, thresholds strictly increasing.

    """

    rule_id: str
    rule_version: str
    kind: RuleKind
    tiers: tuple[tuple[Severity, float], ...]

    @property
    def lowest_threshold(self) -> float:
        """The value from which the rule raises any warning at all."""
        return self.tiers[0][1]


def severity_rank(severity: Severity) -> int:
    """Position of ``severity`` in low < medium < high < critical."""
    return SEVERITIES.index(severity)


def check_tiers(rule_id: str, tiers: list[tuple[Severity, float]]) -> tuple[tuple[Severity, float], ...]:
    """Sort tiers by severity and check that thresholds strictly increase with it.

    Raises
    ------
    ValueError
        Naming the rule and the two severities out of order.

    """
    ordered = sorted(tiers, key=lambda tier: severity_rank(tier[0]))
    for (lower, low_value), (severity, value) in itertools.pairwise(ordered):
        if value <= low_value or severity == lower:
            raise ValueError(MSG_THRESHOLDS_ORDER.format(rule_id=rule_id, severity=severity, lower=lower))
    return tuple(ordered)


def warning_fingerprint(rule_id: str, rule_version: str, *subject: object) -> str:
    """Stable identity of a warning: the rule and what it is about, never when it was found.

    Re-running the rules over the same data yields the same fingerprint, so a warning is stored
    once; the evidence numbers are deliberately left out, so a late reading that raises the
    maximum of a day updates the count of findings, not the number of warnings.

    >>> warning_fingerprint("data_gap", "1", 7, "2026-01-01T00:00:00+00:00")[:12]
    'c6a88da2407b'
    """
    text = "|".join([rule_id, rule_version, *("" if part is None else str(part) for part in subject)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
