"""Run the warning rules for a period and store what they find, once per fingerprint.

A run exports the period's data (:mod:`citycarbon.services.warnings_inputs`), evaluates the
sealed rule set with the vectorised engine and stores each warning by its fingerprint: a
warning found again only has ``last_detected_at`` updated (and its severity raised when the
rule now ranks it higher), so re-running never duplicates. New warnings of severity high or
critical open a rectification case in the same transaction, when the cases context is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.domain.supervision.warning_rules import SEVERITIES
from citycarbon.engines.supervision.warnings import all_warnings, evaluate_rules, with_fingerprints
from citycarbon.refdata.supervision import load_rule_set
from citycarbon.services.monitoring import refresh_gaps
from citycarbon.services.warnings_inputs import default_period, supervision_inputs, window_of
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningEvidence, WarningRun
from citycarbon.store.repositories import IN_LIST, bulk_insert, chunked

Progress = Callable[[str], None]
CASE_SEVERITIES = ("high", "critical")
#: Who opens the cases of new warnings (recorded in each case's history).
OPENED_BY = "system:warnings"


@dataclass(frozen=True)
class WarningRunSummary:
    """What one run found: per rule, how many warnings; how many were new; the cases opened."""

    run_id: int | None
    period_code: str | None
    rule_set: str
    found_by_rule: dict[str, int] = field(default_factory=dict)
    new_count: int = 0
    new_warning_ids: tuple[int, ...] = ()
    cases_opened: int = 0
    cases_available: bool = False


def run_warnings(
    url: str,
    period: str | None = None,
    *,
    trigger: str = "cli",
    now: dt.datetime | None = None,
    progress: Progress = lambda _step: None,
) -> WarningRunSummary:
    """Evaluate every rule for ``period`` (default: the quarter of the newest reading) and store warnings.

    Parameters
    ----------
    url
        Database URL.
    period
        A year, quarter or month as users write it (``2024``, ``2024-Q4``, ``2024-12``).
    trigger
        What started the run (``cli``, ``api``, ``demo``), recorded on the run.
    now
        Time of the run (UTC); gaps are looked for up to it.
    progress
        Called with the name of each step.

    """
    rules = load_rule_set()
    at = now or dt.datetime.now(dt.UTC)
    if period is None:
        with unit_of_work(url) as session:
            period = default_period(session)
    if period is None:
        return WarningRunSummary(None, None, rules.rule_set)
    window = window_of(period)
    progress("gaps")
    refresh_gaps(url, window.start_at, window.end_at, now=at)
    with unit_of_work(url) as session:
        progress("export")
        inputs = supervision_inputs(session, window, now=at)
        progress("evaluate")
        results = evaluate_rules(rules.rules, inputs)
        found = with_fingerprints(all_warnings(results))
        progress("store")
        run = WarningRun(
            rule_set=rules.rule_set, period_code=window.period.code, trigger=trigger, started_at=at
        )
        session.add(run)
        session.flush()
        new_ids = _store(session, found, run.id, at)
        run.found_count, run.new_count, run.finished_at = found.height, len(new_ids), dt.datetime.now(dt.UTC)
        opened, available = _open_cases(session, new_ids)
        return WarningRunSummary(
            run.id,
            window.period.code,
            rules.rule_set,
            {rule: frame.height for rule, frame in results.items()},
            len(new_ids),
            tuple(new_ids),
            opened,
            available,
        )


def _known(session: Session, fingerprints: list[str]) -> dict[str, tuple[int, str]]:
    known: dict[str, tuple[int, str]] = {}
    for part in chunked(fingerprints, IN_LIST):
        rows = session.execute(
            select(SupervisionWarning.fingerprint, SupervisionWarning.id, SupervisionWarning.severity).where(
                SupervisionWarning.fingerprint.in_(part)
            )
        ).all()
        known |= {fingerprint: (warning_id, severity) for fingerprint, warning_id, severity in rows}
    return known


def _store(session: Session, found: pl.DataFrame, run_id: int, at: dt.datetime) -> list[int]:
    """Insert new warnings with their evidence; touch (and escalate) known ones. Returns new ids."""
    if found.height == 0:
        return []
    found = found.unique(subset=["fingerprint"], keep="first", maintain_order=True)
    known = _known(session, found["fingerprint"].to_list())
    rank: dict[str, int] = {severity: index for index, severity in enumerate(SEVERITIES)}
    seen = found.filter(pl.col("fingerprint").is_in(list(known)))
    for ids in chunked([known[f][0] for f in seen["fingerprint"].to_list()], IN_LIST):
        session.execute(
            update(SupervisionWarning).where(SupervisionWarning.id.in_(ids)).values(last_detected_at=at)
        )
    for fingerprint, severity in seen.select("fingerprint", "severity").iter_rows():  # escalations only
        warning_id, stored = known[fingerprint]
        if rank[severity] > rank[stored]:
            session.execute(
                update(SupervisionWarning)
                .where(SupervisionWarning.id == warning_id)
                .values(severity=severity)
            )
    new = found.filter(~pl.col("fingerprint").is_in(list(known)))
    if new.height == 0:
        return []
    rule_set = load_rule_set().rule_set
    rows = new.select(
        "fingerprint",
        "rule_id",
        "rule_version",
        "kind",
        "severity",
        "organisation_id",
        "site_id",
        "outlet_id",
        "pollutant_code",
        "period_code",
        "window_start_at",
        "window_end_at",
        pl.lit(rule_set).alias("rule_set"),
        pl.lit(run_id, pl.Int64).alias("first_run_id"),
        pl.lit(at, pl.Datetime("us", "UTC")).alias("first_detected_at"),
        pl.lit(at, pl.Datetime("us", "UTC")).alias("last_detected_at"),
    ).to_dicts()
    bulk_insert(session, SupervisionWarning, rows)
    new_ids = {
        fingerprint: warning_id
        for fingerprint, (warning_id, _) in _known(session, new["fingerprint"].to_list()).items()
    }
    evidence = (
        new.select(
            pl.col("fingerprint").replace_strict(new_ids, return_dtype=pl.Int64).alias("warning_id"),
            "evidence",
        )
        .explode("evidence")
        .unnest("evidence")
    )
    bulk_insert(session, WarningEvidence, evidence.to_dicts())
    return [new_ids[fingerprint] for fingerprint in new["fingerprint"].to_list()]


def cases_available() -> bool:
    """Whether the rectification-cases context (``citycarbon.services.cases``) is installed."""
    return importlib.util.find_spec("citycarbon.services.cases") is not None


def _open_cases(session: Session, warning_ids: list[int]) -> tuple[int, bool]:
    """Open a case for each new high or critical warning, in the caller's transaction."""
    if not warning_ids or not cases_available():
        return 0, cases_available()
    from citycarbon.services.cases import open_case_for_warning  # type: ignore[import-not-found,unused-ignore]

    opened = 0
    for part in chunked(warning_ids, IN_LIST):
        warnings = session.scalars(
            select(SupervisionWarning).where(
                SupervisionWarning.id.in_(part), SupervisionWarning.severity.in_(CASE_SEVERITIES)
            )
        ).all()
        for warning in warnings:  # one case per serious warning; dozens, not millions
            open_case_for_warning(
                session,
                warning_id=warning.id,
                organisation_id=warning.organisation_id,
                severity=warning.severity,
                title=warning_title(warning),
                evidence=_evidence(session, warning.id),
                opened_by=OPENED_BY,
            )
            opened += 1
    return opened, True


def warning_title(warning: SupervisionWarning) -> str:
    """A short bilingual title naming the rule and its subject."""
    subject = warning.pollutant_code or warning.period_code or ""
    return f"{warning.rule_id} {subject}".strip()


def _evidence(session: Session, warning_id: int) -> dict[str, Any]:
    rows = session.scalars(select(WarningEvidence).where(WarningEvidence.warning_id == warning_id)).all()
    return {row.name: row.value_number if row.value_number is not None else row.value_text for row in rows}
