"""Schemas of the carbon-efficiency endpoints: rated periods, a firm's grade, rankings, lists.

Intensities are in tCO2e per 10⁴ CNY (value added unless named otherwise), energy in tce, land
in mu; K is dimensionless (``k_industry`` = intensity ÷ benchmark). See
docs/explanation/carbon-efficiency.md for how each figure is computed.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from citycarbon.api.schemas.common import Schema, UtcDateTime

RollupDimension = Literal["region", "industry"]
RollupLevel = Literal["province", "prefecture", "county", "section", "division", "group", "class"]


class RatedPeriodOut(Schema):
    """A period and scheme with a current rating, and how many organisations it rated."""

    period: str
    scheme: str
    scheme_version: str
    organisation_count: int
    rated_count: int
    finished_at: UtcDateTime | None


class GroupRankOut(Schema):
    """A firm's rank (1 = lowest K) among the ``count`` graded firms of an industry or county."""

    code: str
    name: str | None
    rank: int
    count: int


class OrganisationGradeOut(Schema):
    """An organisation's grade row of one period and scheme, with its ranks when graded."""

    organisation_id: int
    uscc: str
    name: str
    period: str
    scheme: str
    scheme_version: str
    industry_code: str | None
    region_code: str
    county_code: str | None
    emissions_tco2e: float | None
    energy_tce: float | None
    output_value_10k_cny: float | None
    value_added_10k_cny: float | None
    area_mu: float | None
    product_output: float | None
    product_unit: str | None
    intensity_tco2e_per_10k_cny: float | None
    intensity_output_tco2e_per_10k_cny: float | None
    intensity_tco2e_per_product_unit: float | None
    energy_intensity_tce_per_10k_cny: float | None
    emissions_per_mu_tco2e: float | None
    output_per_mu_10k_cny: float | None
    benchmark_industry_code: str | None
    benchmark_level: str | None
    benchmark_method: str | None
    benchmark_peer_count: int | None
    benchmark_tco2e_per_10k_cny: float | None
    k_industry: float | None
    k_region: float | None
    intensity_change: float | None
    grade: int | None
    grade_code: str | None
    grade_label_zh: str | None
    grade_label_en: str | None
    level_code: str | None
    colour: str | None
    not_rated_reason: str | None
    not_rated_text: str | None
    industry_rank: GroupRankOut | None
    county_rank: GroupRankOut | None

    @classmethod
    def build(cls, rating: Any) -> OrganisationGradeOut:
        """From :class:`citycarbon.services.efficiency_queries.OrganisationRating`."""
        ranks = {
            name: GroupRankOut.model_validate(rank) if rank is not None else None
            for name, rank in (("industry_rank", rating.industry_rank), ("county_rank", rating.county_rank))
        }
        return cls(
            **asdict(rating.row),
            **ranks,
            organisation_id=rating.organisation_id,
            uscc=rating.uscc,
            name=rating.name,
            period=rating.period,
            scheme=rating.scheme,
            not_rated_text=rating.not_rated_text,
        )


class RankedFirmOut(Schema):
    """One firm of a ranking; ``rank`` is ``null`` when the firm has no grade."""

    rank: int | None
    organisation_id: int
    uscc: str
    name: str
    k_industry: float | None
    grade: int | None
    grade_code: str | None
    industry_code: str | None
    region_code: str


class RankingOut(Schema):
    """The rows of a ranking the caller may see; ranks and ``ranked_count`` are the whole group's."""

    period: str
    scheme: str
    dimension: Literal["industry", "county"]
    code: str
    name: str | None
    ranked_count: int
    items: list[RankedFirmOut]
    limit: int
    offset: int
    next_offset: int | None


class WatchlistEntryOut(Schema):
    """A firm on a watch-list: rule, movement (``entered``, ``stayed``, ``left``), values judged."""

    organisation_id: int
    uscc: str
    name: str
    rule_code: str
    movement: str | None
    energy_tce: float | None
    grade: int | None
    output_per_mu_10k_cny: float | None
    output_per_mu_threshold_10k_cny: float | None


class WatchlistOut(Schema):
    """One page of the watch-list entries the caller may see."""

    period: str
    scheme: str
    items: list[WatchlistEntryOut]
    limit: int
    offset: int
    next_offset: int | None


class RollupOut(Schema):
    """Totals, intensity (Σ E ÷ Σ VA of the peers) and grade counts of one region or industry."""

    code: str
    name: str | None
    organisation_count: int
    rated_count: int
    not_rated_count: int
    grade_1_count: int
    grade_2_count: int
    grade_3_count: int
    grade_4_count: int
    grade_5_count: int
    emissions_tco2e: float
    energy_tce: float
    value_added_10k_cny: float
    output_value_10k_cny: float
    area_mu: float
    intensity_tco2e_per_10k_cny: float | None
    emissions_per_mu_tco2e: float | None


class RollupsOut(Schema):
    """One page of the roll-up rows of a dimension and level that the caller may read."""

    period: str
    scheme: str
    dimension: RollupDimension
    level: RollupLevel
    items: list[RollupOut]
    limit: int
    offset: int
    next_offset: int | None
