"""Classify individual businesses into survival, growth and development tiers.

Taizhou's "台惠富" platform classifies individual businesses (个体工商户) into survival, growth
and development types and matches them to bank credit (mission brief, "Green finance"). The
thresholds are configurable reference data (``refdata/data/business_tiers``); this module
only applies them: a business reaches a tier when it meets every threshold listed for that
tier, and is placed in the highest tier it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Tier = Literal["survival", "growth", "development"]
TIERS: tuple[Tier, ...] = ("survival", "growth", "development")


@dataclass(frozen=True, slots=True)
class TierThreshold:
    """Lower bound of one metric for one tier.

    Parameters
    ----------
    tier
        Tier the bound belongs to.
    metric
        Metric name, e.g. ``output_value_10k_cny`` (annual industrial output [10^4 CNY]).
    minimum
        Smallest value of the metric that reaches the tier, in the metric's unit.

    """

    tier: Tier
    metric: str
    minimum: float


@dataclass(frozen=True, slots=True)
class TierResult:
    """The tier reached and the metric values that decided it."""

    tier: Tier
    metrics: Mapping[str, float | None]


def classify_business(metrics: Mapping[str, float | None], thresholds: Iterable[TierThreshold]) -> TierResult:
    """Place a business in the highest tier whose thresholds, and those of every lower tier, it meets.

    A missing metric meets no threshold, so a business without data stays in ``survival``,
    the tier that needs no evidence.

    Parameters
    ----------
    metrics
        Metric values of the business for one year, in the thresholds' units.
    thresholds
        Lower bounds per tier and metric.

    Examples
    --------
    >>> rules = [TierThreshold("growth", "output_value_10k_cny", 100.0),
    ...          TierThreshold("development", "output_value_10k_cny", 500.0)]
    >>> classify_business({"output_value_10k_cny": 120.0}, rules).tier
    'growth'
    >>> classify_business({"output_value_10k_cny": None}, rules).tier
    'survival'

    """
    by_tier: dict[Tier, list[TierThreshold]] = {tier: [] for tier in TIERS}
    for threshold in thresholds:
        by_tier[threshold.tier].append(threshold)
    reached: Tier = "survival"
    for tier in TIERS[1:]:
        rules = by_tier[tier]
        if not all(_meets(metrics.get(rule.metric), rule.minimum) for rule in rules):
            break  # tiers are steps: a business that misses growth cannot be in development
        reached = tier
    return TierResult(reached, dict(metrics))


def _meets(value: float | None, minimum: float) -> bool:
    return value is not None and value >= minimum
