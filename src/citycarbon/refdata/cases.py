"""Load the rectification-case deadlines and escalation intervals by severity.

The deadlines are reference data like any factor: a versioned CSV with ``value``, ``unit``,
``source`` and ``status`` on every row and a sealed manifest, so a centre that changes its rule
publishes a new version and every case records the ``dataset@version`` its deadline came from.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from citycarbon.domain.errors import CityCarbonError, ReferenceDataError
from citycarbon.domain.supervision.cases import DeadlineBook, DeadlinePolicy, Severity
from citycarbon.domain.units import conversion_factor
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import SourcedRow

DATASET = "case_deadlines"


class CaseDeadlineRow(SourcedRow):
    """One row of ``deadlines.csv``: one term (handling time or escalation interval) of a severity."""

    severity: Literal["low", "medium", "high", "critical"]
    term: Literal["handling", "escalation_interval"]
    value: float = Field(gt=0)


@cache
def load_deadline_book(version: str | None = None) -> DeadlineBook:
    """Return the deadline policy of every severity from ``version`` (newest by default).

    Raises
    ------
    ReferenceDataError
        When the file does not match its manifest digest, a row is malformed, a unit is not a
        duration, or a severity lacks one of its two terms.

    References
    ----------
    Mission brief, "Supervision that compares data instead of visiting (智联查, seed 002)".

    """
    dataset = load_dataset(DATASET, "deadlines.csv", CaseDeadlineRow, version)
    days: dict[tuple[str, str], float] = {}
    for row in dataset.rows:
        try:
            per_day = conversion_factor(row.unit, "day")
        except CityCarbonError:
            raise ReferenceDataError(
                "{dataset}: {term} of {severity} must be a duration, not {unit}",
                dataset=dataset.factor_set,
                term=row.term,
                severity=row.severity,
                unit=row.unit,
            ) from None
        days[(row.severity, row.term)] = row.value * per_day
    policies: dict[Severity, DeadlinePolicy] = {}
    for severity in Severity:
        for term in ("handling", "escalation_interval"):
            if (severity.value, term) not in days:
                raise ReferenceDataError(
                    "{dataset}: severity {severity} has no {term} row",
                    dataset=dataset.factor_set,
                    severity=severity.value,
                    term=term,
                )
        policies[severity] = DeadlinePolicy(
            severity, days[(severity.value, "handling")], days[(severity.value, "escalation_interval")]
        )
    return DeadlineBook(policies, dataset.factor_set)
