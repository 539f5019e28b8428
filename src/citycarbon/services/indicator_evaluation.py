"""Evaluate an indicator definition for a quarter at each entity level and store the results.

One transaction per call. For each level (county, city, park, enterprise) the enterprise facts
of the quarter are rolled up, fingerprinted and evaluated; a level whose fingerprint and
definition version equal those of its current run is skipped (nothing changed), otherwise the
current run is superseded — kept as history — and the new run, its weights and its scores are
written. ``carry_last`` reads the raw values of the latest earlier quarter's current run that
were observed (not themselves imputed), so a value is never carried forward twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.indicators.definition import IndicatorTree
from citycarbon.domain.indicators.fields import FACT_FIELDS
from citycarbon.domain.ledger.period import InvalidPeriod, parse_period
from citycarbon.engines.indicators.evaluate import ENTITY, Evaluation, evaluate_tree
from citycarbon.engines.indicators.rollup import enterprise_facts, park_facts, region_facts
from citycarbon.refdata.indicators import load_synergy_index
from citycarbon.services.indicator_facts import load_quarter_facts
from citycarbon.services.parks import park_members
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.indicator_tables import IndicatorRun, IndicatorScore, IndicatorWeight
from citycarbon.store.repositories import bulk_insert

EntityLevel = Literal["county", "city", "park", "enterprise"]
ENTITY_LEVELS: tuple[EntityLevel, ...] = ("county", "city", "park", "enterprise")
DEFAULT_LEVELS: tuple[EntityLevel, ...] = ("county", "city", "park")
MSG_NOT_A_QUARTER = "'{text}' is not a quarter; write it as 2024Q4 or 2024-Q4"
MSG_UNKNOWN_LEVEL = "Unknown entity level '{level}'; choose from {levels}"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LevelSummary:
    """One level of an evaluation: its run, how many entities, whether it was skipped."""

    level: str
    run_id: int | None
    entities: int
    skipped: bool = False
    missing_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationSummary:
    """What :func:`evaluate_quarter` did."""

    definition: str
    period: str
    levels: tuple[LevelSummary, ...]


def parse_quarter(text: str) -> tuple[int, int]:
    """``2024Q4`` / ``2024-Q4`` / ``2024年第四季度`` → ``(2024, 4)``.

    Raises
    ------
    CityCarbonError
        When ``text`` is not a quarter.

    """
    try:
        period = parse_period(text)
    except InvalidPeriod:
        period = None
    if period is None or period.quarter is None:
        raise CityCarbonError(MSG_NOT_A_QUARTER, text=text)
    return period.year, period.quarter


def check_levels(levels: Sequence[str]) -> tuple[EntityLevel, ...]:
    """Validate level names (CLI and API input)."""
    for level in levels:
        if level not in ENTITY_LEVELS:
            raise CityCarbonError(MSG_UNKNOWN_LEVEL, level=level, levels=", ".join(ENTITY_LEVELS))
    return tuple(level for level in ENTITY_LEVELS if level in levels)


def level_facts(facts: pl.DataFrame, level: EntityLevel, members: pl.DataFrame) -> pl.DataFrame:
    """The entities of ``level`` and their facts, from the enterprise facts of a quarter."""
    fields = [f.name for f in FACT_FIELDS]
    if level == "enterprise":
        return enterprise_facts(facts, fields)
    if level == "park":
        return park_facts(facts, members, fields)
    return region_facts(facts, level, fields)


def _fingerprint(tree: IndicatorTree, frame: pl.DataFrame) -> str:
    digest = hashlib.sha256(tree.key.encode())
    digest.update(frame.sort(ENTITY).write_csv().encode())
    return digest.hexdigest()


def _current_run(session: Session, code: str, period: str, level: str) -> IndicatorRun | None:
    query = select(IndicatorRun).where(
        IndicatorRun.definition_code == code,
        IndicatorRun.period_code == period,
        IndicatorRun.entity_level == level,
        IndicatorRun.superseded_at.is_(None),
    )
    return session.execute(query).scalar_one_or_none()


def previous_raw_values(session: Session, tree: IndicatorTree, period: str, level: str) -> pl.DataFrame:
    """Observed raw indicator values of the latest earlier quarter evaluated at ``level``."""
    earlier = (
        select(IndicatorRun.id)
        .where(
            IndicatorRun.definition_code == tree.code,
            IndicatorRun.entity_level == level,
            IndicatorRun.period_code < period,
            IndicatorRun.superseded_at.is_(None),
        )
        .order_by(IndicatorRun.period_code.desc())
        .limit(1)
    )
    run_id = session.execute(earlier).scalar_one_or_none()
    schema = {ENTITY: pl.Utf8, "node_id": pl.Utf8, "raw_value": pl.Float64}
    if run_id is None:
        return pl.DataFrame(schema=schema)
    leaves = [leaf.id for leaf in tree.indicators() if leaf.missing == "carry_last"]
    query = select(IndicatorScore.entity_code, IndicatorScore.node_id, IndicatorScore.raw_value).where(
        IndicatorScore.run_id == run_id,
        IndicatorScore.node_id.in_(leaves),
        IndicatorScore.missing_rule.is_(None),
        IndicatorScore.raw_value.is_not(None),
    )
    return pl.DataFrame([tuple(r) for r in session.execute(query)], schema=schema, orient="row")


def _store(
    session: Session,
    tree: IndicatorTree,
    period: str,
    level: str,
    fingerprint: str,
    result: Evaluation,
    trigger: str,
) -> int:
    now = dt.datetime.now(dt.UTC)
    current = _current_run(session, tree.code, period, level)
    if current is not None:
        current.superseded_at = now
        session.flush()
    run = IndicatorRun(
        definition_code=tree.code,
        definition_version=tree.version,
        period_code=period,
        entity_level=level,
        inputs_fingerprint=fingerprint,
        entity_count=result.scores.filter(pl.col("node_id") == tree.root).height,
        trigger=trigger,
        started_at=now,
    )
    session.add(run)
    session.flush()
    bulk_insert(
        session, IndicatorWeight, result.weights.with_columns(pl.lit(run.id).alias("run_id")).to_dicts()
    )
    scores = result.scores.rename({ENTITY: "entity_code"}).with_columns(pl.lit(run.id).alias("run_id"))
    bulk_insert(session, IndicatorScore, scores.to_dicts())
    session.execute(
        update(IndicatorRun).where(IndicatorRun.id == run.id).values(finished_at=dt.datetime.now(dt.UTC))
    )
    return run.id


def evaluate_quarter(
    url: str,
    quarter: str,
    *,
    tree: IndicatorTree | None = None,
    levels: Sequence[str] = DEFAULT_LEVELS,
    trigger: str = "cli",
    force: bool = False,
    progress: Progress = lambda _step: None,
) -> EvaluationSummary:
    """Evaluate ``tree`` (the shipped synergy index by default) for one quarter and store it.

    Parameters
    ----------
    url
        Database URL.
    quarter
        ``2024Q4``, ``2024-Q4`` …
    tree
        Definition to evaluate; the shipped synergy index when not given.
    levels
        Entity levels to evaluate: ``county``, ``city``, ``park``, ``enterprise``.
    force
        Evaluate even when the facts and definition are unchanged since the current run.
    trigger
        Who asked (``cli``, ``demo``, ``api``), stored with the run.
    progress
        Called with ``facts`` and then each level's name.

    """
    definition = tree or load_synergy_index()
    year, number = parse_quarter(quarter)
    chosen = check_levels(levels)
    period = f"{year}-Q{number}"
    upgrade_database(url)
    summaries = []
    with unit_of_work(url) as session:
        progress("facts")
        facts = load_quarter_facts(session, url, year, number)
        members = park_members(session)
        for level in chosen:
            progress(level)
            frame = level_facts(facts, level, members)
            fingerprint = _fingerprint(definition, frame)
            current = _current_run(session, definition.code, period, level)
            if (
                not force
                and current is not None
                and current.inputs_fingerprint == fingerprint
                and current.definition_version == definition.version
            ):
                summaries.append(LevelSummary(level, current.id, current.entity_count, skipped=True))
                continue
            result = evaluate_tree(definition, frame, previous_raw_values(session, definition, period, level))
            run_id = _store(session, definition, period, level, fingerprint, result, trigger)
            rules = result.scores.drop_nulls("missing_rule").group_by("missing_rule").len()
            counts = {str(r): int(n) for r, n in rules.iter_rows()}
            summaries.append(LevelSummary(level, run_id, frame.height, missing_counts=counts))
    return EvaluationSummary(definition.key, period, tuple(summaries))
