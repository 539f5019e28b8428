"""Schemas of an organisation's ledger: sites, activity and production records, results."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from citycarbon.api.schemas.common import Code, Input, Name, Schema, UtcDateTime


class SiteOut(Schema):
    """A site (plant, premises) of an organisation."""

    site_code: str
    name: str | None
    region_code: str | None


class ActivityIn(Input):
    """One activity record, with the same fields as a row of the activity template."""

    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Month, e.g. 2024-01")
    category: Literal["fuel", "electricity", "heat", "process"]
    item: Name = Field(description="Energy or material, e.g. raw_coal, 原煤, grid")
    quantity: float = Field(ge=0, le=1e12, allow_inf_nan=False, description="Amount, in `unit`")
    unit: Code = Field(description="Unit of the quantity, e.g. t, MWh, GJ, 万立方米")
    site: Code | None = Field(default=None, description="Site code, if the organisation has several")
    certificate: Name | None = Field(default=None, description="Green electricity certificate number")


class ActivityBatchIn(Input):
    """Activity records of one organisation, written all or none."""

    records: list[ActivityIn] = Field(min_length=1, max_length=1000)
    replace: bool = Field(default=False, description="Replace stored records with different quantities")


class ProductionIn(Input):
    """One production record (output, value added, product output) for a month."""

    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Month, e.g. 2024-01")
    output_value_10k_cny: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    value_added_10k_cny: float | None = Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    product_code: Code | None = None
    product_output: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    product_unit: Code | None = None


class ProductionBatchIn(Input):
    """Production records of one organisation, written all or none."""

    records: list[ProductionIn] = Field(min_length=1, max_length=1000)
    replace: bool = False


class WriteSummaryOut(Schema):
    """What a write did: rows received, written, skipped as identical, replaced."""

    kind: str
    rows: int
    written: int
    skipped: int
    replaced: int
    already_imported: bool
    batch_id: int | None


class ActivityOut(Schema):
    """A current activity record."""

    activity_record_id: int
    site_code: str
    period: str
    category: str
    item_code: str
    quantity: float
    unit: str
    certificate: str | None
    created_at: UtcDateTime


class ProductionOut(Schema):
    """A current production record."""

    production_record_id: int
    period: str
    output_value_10k_cny: float | None
    value_added_10k_cny: float | None
    product_code: str
    product_output: float | None
    product_unit: str | None


class ResultOut(Schema):
    """Current totals of one period [tCO2e, tce]."""

    result_id: int
    run_id: int
    period: str
    scope1_tco2e: float
    scope2_tco2e: float
    total_tco2e: float
    energy_tce: float
    scope2_method: str


class ResultLineOut(Schema):
    """One activity record's contribution with the factor values and sources it used."""

    activity_record_id: int
    site_code: str
    category: str
    item_code: str
    quantity: float
    unit: str
    quantity_canonical: float
    canonical_unit: str
    emissions_tco2e: float
    energy_tce: float
    emission_factor: float
    ncv_gj_per_unit: float | None
    carbon_content_tc_per_gj: float | None
    oxidation_rate: float | None
    tce_per_unit: float
    lineage_id: str
    tce_lineage_id: str | None
    factor_source: str
    factor_status: str
    flags: list[str]


class ResultDetailOut(ResultOut):
    """A result with its run's options, factor-set versions and every line's lineage."""

    organisation_id: int
    uscc: str
    is_current: bool
    grid_code: str
    gwp_metric: str
    factor_versions: dict[str, str]
    lines: list[ResultLineOut]
