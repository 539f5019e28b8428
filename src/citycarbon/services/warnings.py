"""Run the warning rules for a period and store what they find, once per fingerprint.

A run exports the period's data (:mod:`citycarbon.services.warnings_inputs`), evaluates the
sealed rule set with the vectorised engine and stores each warning by its fingerprint: a
warning found again only has ``last_detected_at`` updated (and its severity raised when the
rule now ranks it higher), so re-running never duplicates. New warnings of severity high or
critical open a rectification case in the same transaction, when the cases context is installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.domain.supervision.cases import CaseState
from citycarbon.domain.supervision.monitoring import CHINA_TZ, POLLUTANTS
from citycarbon.domain.supervision.warning_rules import RULE_LABELS, SEVERITIES, Severity, severity_rank
from citycarbon.engines.supervision.warnings import all_warnings, evaluate_rules, with_fingerprints
from citycarbon.i18n import translator
from citycarbon.refdata.supervision import load_rule_set
from citycarbon.services.case_records import link_warning_to_case
from citycarbon.services.cases import open_case_for_warning
from citycarbon.services.monitoring import refresh_gaps
from citycarbon.services.warnings_inputs import default_period, supervision_inputs, window_of
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningEvidence, WarningRun
from citycarbon.store.repositories import IN_LIST, bulk_insert, chunked

Progress = Callable[[str], None]
CASE_SEVERITIES = ("high", "critical")
#: Who opens the cases of new warnings (recorded in each case's history).
OPENED_BY = "system:warnings"
CASE_TITLE_LOCALE = "zh_CN"


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
        opened = _open_cases(session, new_ids)
        return WarningRunSummary(
            run.id,
            window.period.code,
            rules.rule_set,
            {rule: frame.height for rule, frame in results.items()},
            len(new_ids),
            tuple(new_ids),
            opened,
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


def _finding(warning: SupervisionWarning) -> tuple[int, str, str | None]:
    """What a case is about: one organisation, one kind of rule, one pollutant (if any)."""
    return warning.organisation_id, warning.kind, warning.pollutant_code


def _open_case_of_finding(session: Session) -> dict[tuple[int, str, str | None], int]:
    """The open case of each finding that has one (the newest, should there be several)."""
    rows = session.execute(
        select(
            SupervisionWarning.organisation_id,
            SupervisionWarning.kind,
            SupervisionWarning.pollutant_code,
            SupervisionCase.id,
        )
        .join(SupervisionCase, SupervisionCase.warning_id == SupervisionWarning.id)
        .where(SupervisionCase.state != CaseState.CLOSED.value)
        .order_by(SupervisionCase.id)
    ).all()
    return {(org, kind, pollutant): case_id for org, kind, pollutant, case_id in rows}


def _worst_first(warning: SupervisionWarning) -> tuple[int, float, int]:
    start = warning.window_start_at.timestamp() if warning.window_start_at else float("-inf")
    return -severity_rank(cast(Severity, warning.severity)), start, warning.id


def _open_cases(session: Session, warning_ids: list[int]) -> int:
    """Open a case for new high or critical warnings, in the caller's transaction.

    One open case per finding (organisation, kind of rule, pollutant): a stack that exceeds
    its NOx limit on thirty days is one thing to rectify, not thirty. The most severe new warning
    of a finding opens its case; the finding's other serious warnings, in this run or later
    ones while that case is open, are linked to it (the case lists them all). Once the case is
    closed, the next serious warning of the finding opens a new one.
    """
    serious: list[SupervisionWarning] = []
    for part in chunked(warning_ids, IN_LIST):
        serious += session.scalars(
            select(SupervisionWarning).where(
                SupervisionWarning.id.in_(part), SupervisionWarning.severity.in_(CASE_SEVERITIES)
            )
        ).all()
    case_of = _open_case_of_finding(session) if serious else {}
    opened = 0
    # Most severe first, then oldest subject first, so each finding's case names its worst warning.
    serious.sort(key=_worst_first)
    for warning in serious:
        finding = _finding(warning)
        if finding in case_of:
            link_warning_to_case(session, case_id=case_of[finding], warning_id=warning.id)
            continue
        case_of[finding] = open_case_for_warning(
            session,
            warning_id=warning.id,
            organisation_id=warning.organisation_id,
            severity=warning.severity,
            title=warning_title(warning),
            evidence=_evidence(session, warning.id),
            opened_by=OPENED_BY,
        )
        opened += 1
    return opened


def warning_title(warning: SupervisionWarning) -> str:
    """A short title in the centre's language (Chinese) naming what was found and its subject.

    A case keeps one title, shown to staff and enterprise alike, so it is written in the
    language of the centre; the rule id and all evidence stay with the case for any reader.
    """
    label = translator(CASE_TITLE_LOCALE)(RULE_LABELS.get(warning.kind, warning.rule_id))
    pollutant = POLLUTANTS.get(warning.pollutant_code or "")
    subject = pollutant[1] if pollutant else (warning.pollutant_code or warning.period_code or "")
    if warning.window_start_at is not None:
        day = warning.window_start_at.replace(tzinfo=warning.window_start_at.tzinfo or dt.UTC)
        subject = f"{subject} {day.astimezone(CHINA_TZ).date().isoformat()}".strip()
    return f"{label} · {subject}" if subject else label


def _evidence(session: Session, warning_id: int) -> dict[str, Any]:
    rows = session.scalars(select(WarningEvidence).where(WarningEvidence.warning_id == warning_id)).all()
    return {row.name: row.value_number if row.value_number is not None else row.value_text for row in rows}
