"""Classify an individual business into the survival / growth / development tier from its data.

The metrics come from the ledger (production records of the latest year with any), the
thresholds from the versioned ``business_tiers`` reference data, and the rule from
:func:`citycarbon.domain.finance.tiers.classify_business`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citycarbon.domain.finance.tiers import classify_business
from citycarbon.refdata.business_tiers import load_tier_thresholds
from citycarbon.services.caller import Caller
from citycarbon.services.scope import readable
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation, Period, ProductionRecord


def business_metrics(session: Session, organisation_id: int) -> tuple[int | None, dict[str, float | None]]:
    """Year of the latest production data and the tier metrics of that year.

    Returns
    -------
    tuple
        ``(year, {"output_value_10k_cny": … [10^4 CNY], "months_reported": … [month]})``;
        ``(None, {... None})`` when the business has reported no production.

    """
    current = (ProductionRecord.organisation_id == organisation_id) & ProductionRecord.superseded_at.is_(None)
    year = session.execute(
        select(func.max(Period.year))
        .join(ProductionRecord, ProductionRecord.period_id == Period.id)
        .where(current)
    ).scalar()
    if year is None:
        return None, {"output_value_10k_cny": None, "months_reported": None}
    output, months = session.execute(
        select(func.sum(ProductionRecord.output_value_10k_cny), func.count(func.distinct(Period.id)))
        .join(Period, Period.id == ProductionRecord.period_id)
        .where(current, Period.year == year, Period.kind == "month")
    ).one()
    return year, {"output_value_10k_cny": output, "months_reported": float(months)}


def business_tier(session: Session, org: Organisation) -> dict[str, Any]:
    """The tier of ``org`` with the year, metrics and threshold set that decided it."""
    thresholds, factor_set = load_tier_thresholds()
    year, metrics = business_metrics(session, org.id)
    result = classify_business(metrics, thresholds)
    return {"tier": result.tier, "year": year, "metrics": dict(result.metrics), "threshold_set": factor_set}


def classify_organisation(url: str, caller: Caller, organisation_id: int) -> dict[str, Any]:
    """Tier of one organisation within the caller's scope (outside reads audited)."""
    with unit_of_work(url) as session:
        org = readable(session, caller, organisation_id, "business_tier")
        return business_tier(session, org)
