"""Load the configurable thresholds of the individual-business tiers (survival/growth/development).

The thresholds are reference data like any factor: a versioned CSV with ``value``, ``unit``,
``source`` and ``status`` on every row and a sealed manifest, so a centre that changes them
publishes a new version instead of editing numbers in place (ADR 0002).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.domain.finance.tiers import Tier, TierThreshold
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import Status, Strict

DATASET = "business_tiers"

#: Metrics the classifier can compute, with the one unit each is stated in. Monetary amounts
#: have no pint unit in the registry yet, so the unit column is checked against this list.
METRIC_UNITS: dict[str, str] = {"output_value_10k_cny": "10k CNY", "months_reported": "month"}


class TierThresholdRow(Strict):
    """One row of ``thresholds.csv``: the lower bound of one metric for one tier."""

    tier: Literal["growth", "development"]
    metric: Literal["output_value_10k_cny", "months_reported"]
    value: float = Field(ge=0)
    unit: Literal["10k CNY", "month"]
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str = ""

    def to_threshold(self) -> TierThreshold:
        """Convert the row into the domain value the classifier applies."""
        tier: Tier = self.tier
        return TierThreshold(tier, self.metric, self.value)


@cache
def load_tier_thresholds(version: str | None = None) -> tuple[tuple[TierThreshold, ...], str]:
    """Return the thresholds of ``version`` (newest by default) and the set's ``dataset@version``.

    Raises
    ------
    ReferenceDataError
        When the file does not match its manifest digest or a row is malformed, including a
        unit that is not the one its metric is stated in.

    References
    ----------
    Mission brief, "Green finance": Taizhou 台惠富 survival / growth / development types.

    """
    dataset = load_dataset(DATASET, "thresholds.csv", TierThresholdRow, version)
    for row in dataset.rows:
        if METRIC_UNITS[row.metric] != row.unit:
            raise ReferenceDataError(
                "{dataset}: metric {metric} must be stated in {unit}",
                dataset=dataset.factor_set,
                metric=row.metric,
                unit=METRIC_UNITS[row.metric],
            )
    return tuple(row.to_threshold() for row in dataset.rows), dataset.factor_set
