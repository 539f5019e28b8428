"""Calculate and recalculate stored results, keeping every earlier result as history.

A calculation run records its options and the factor-set versions it used; results of a new
run supersede the current ones for the same organisation and period, so a changed factor set
never erases what was reported with the old one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from citycarbon.engines.accounting import account
from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.refdata.factor_book import load_factor_book
from citycarbon.refdata.loader import read_manifest
from citycarbon.store import repositories as repo
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import (
    ActivityRecord,
    CalculationRun,
    CalculationRunFactorSet,
    EmissionResult,
    EmissionResultLine,
    FactorSet,
    Organisation,
    Period,
)


@dataclass(frozen=True)
class RunSummary:
    """What a calculation run did."""

    run_id: int | None
    results: int
    lines: int
    total_tco2e: float


def sync_factor_sets(session: Session, versions: dict[str, str]) -> dict[str, int]:
    """Register the factor-set versions in use (with their digests); return their ids."""
    ids = {}
    for dataset, version in versions.items():
        found = session.execute(
            select(FactorSet.id).where(FactorSet.dataset == dataset, FactorSet.version == version)
        ).scalar()
        if found is None:
            manifest = read_manifest(dataset, version)
            row = FactorSet(
                dataset=dataset,
                version=version,
                title=manifest.title,
                publisher=manifest.publisher,
                document=manifest.document,
                valid_from_year=manifest.valid_from_year,
                valid_to_year=manifest.valid_to_year,
                sha256=next(iter(manifest.files.values())).sha256,
            )
            session.add(row)
            session.flush()
            found = row.id
        ids[dataset] = found
    return ids


def load_activity(
    session: Session, years: Iterable[int] | None = None, pairs: Iterable[tuple[str, str]] | None = None
) -> pl.DataFrame:
    """Current activity records, with credit code and period, as the engine's input frame."""
    query = (
        select(
            ActivityRecord.id.label("activity_record_id"),
            Organisation.uscc,
            Organisation.id.label("organisation_id"),
            Period.code.label("period"),
            Period.id.label("period_id"),
            Period.year,
            ActivityRecord.category,
            ActivityRecord.item_code,
            ActivityRecord.quantity,
            ActivityRecord.unit,
        )
        .join(Organisation, Organisation.id == ActivityRecord.organisation_id)
        .join(Period, Period.id == ActivityRecord.period_id)
        .where(ActivityRecord.superseded_at.is_(None))
        .order_by(ActivityRecord.id)
    )
    if years is not None:
        query = query.where(Period.year.in_(list(years)))
    frame = pl.read_database(query, session.connection(), schema_overrides={"year": pl.Int32})
    if pairs is not None:
        wanted = pl.DataFrame(list(pairs), schema={"uscc": pl.String, "period": pl.String}, orient="row")
        frame = frame.join(wanted, on=["uscc", "period"], how="semi")
    return frame


def calculate(
    session: Session, activity: pl.DataFrame, options: AccountingOptions, trigger: str
) -> RunSummary:
    """Account ``activity`` and store the results as a new run, superseding current ones."""
    if activity.is_empty():
        return RunSummary(None, 0, 0, 0.0)
    book = load_factor_book(options.fuel_set)
    set_ids = sync_factor_sets(session, book.factor_sets)
    now = dt.datetime.now(dt.UTC)
    run = CalculationRun(
        trigger=trigger,
        grid_code=options.grid_code,
        gwp_metric=options.gwp_metric,
        include_non_co2=options.include_non_co2,
        fuel_set=options.fuel_set,
        factor_versions=json.dumps(book.factor_sets, sort_keys=True),
        started_at=now,
    )
    session.add(run)
    session.flush()
    repo.bulk_insert(
        session, CalculationRunFactorSet, [{"run_id": run.id, "factor_set_id": i} for i in set_ids.values()]
    )
    result = account(activity, book, options)
    keys = result.lines.select("uscc", "period", "organisation_id", "period_id").unique()
    totals = result.totals.join(keys, on=["uscc", "period"], how="left")
    _supersede(session, totals, now)
    result_ids = _insert_totals(session, totals, run.id, now)
    lines = result.lines.join(result_ids, on=["organisation_id", "period_id"], how="left")
    _insert_lines(session, lines)
    run.finished_at = dt.datetime.now(dt.UTC)
    return RunSummary(run.id, totals.height, lines.height, float(totals["total_tco2e"].sum()))


def _supersede(session: Session, totals: pl.DataFrame, at: dt.datetime) -> None:
    for (period_id,), group in totals.group_by(["period_id"]):
        orgs = group["organisation_id"].to_list()
        for part in repo.chunked(orgs, repo.IN_LIST):
            session.execute(
                update(EmissionResult)
                .where(
                    EmissionResult.superseded_at.is_(None),
                    EmissionResult.period_id == period_id,
                    EmissionResult.organisation_id.in_(part),
                )
                .values(superseded_at=at)
            )


def _insert_totals(session: Session, totals: pl.DataFrame, run_id: int, now: dt.datetime) -> pl.DataFrame:
    rows = totals.select(
        "organisation_id",
        "period_id",
        "scope1_tco2e",
        "scope2_tco2e",
        "scope2_location_tco2e",
        "scope2_market_tco2e",
        "total_tco2e",
        "energy_tce",
        pl.when("uses_market").then(pl.lit("market")).otherwise(pl.lit("location")).alias("scope2_method"),
        pl.lit(run_id).alias("run_id"),
        pl.lit(now).alias("created_at"),
    ).to_dicts()
    returned: list[tuple[int, int, int]] = []
    for chunk in repo.chunked(rows):
        returned += session.execute(
            insert(EmissionResult).returning(
                EmissionResult.id,
                EmissionResult.organisation_id,
                EmissionResult.period_id,
                sort_by_parameter_order=True,
            ),
            list(chunk),
        ).all()
    return pl.DataFrame(
        returned,
        schema={"result_id": pl.Int64, "organisation_id": pl.Int64, "period_id": pl.Int64},
        orient="row",
    )


def _insert_lines(session: Session, lines: pl.DataFrame) -> None:
    rows = lines.select(
        "result_id",
        "activity_record_id",
        "category",
        "item_code",
        "quantity_canonical",
        "canonical_unit",
        "emissions_tco2e",
        "energy_tce",
        "emission_factor",
        "ncv_gj_per_unit",
        "carbon_content_tc_per_gj",
        "oxidation_rate",
        "tce_per_unit",
        "lineage_id",
        pl.col("tce_lineage").alias("tce_lineage_id"),
        "scope2_method",
        "factor_source",
        "factor_status",
        pl.col("flags").fill_null(""),
    ).to_dicts()
    repo.bulk_insert(session, EmissionResultLine, rows)


def recalculate(
    url: str,
    options: AccountingOptions | None = None,
    *,
    years: Iterable[int] | None = None,
    pairs: Iterable[tuple[str, str]] | None = None,
    trigger: str = "recalculate",
) -> RunSummary:
    """Recalculate current activity (all, some years, or some organisation-periods) in one transaction."""
    with unit_of_work(url) as session:
        activity = load_activity(session, years, pairs)
        return calculate(session, activity, options or AccountingOptions(), trigger)
