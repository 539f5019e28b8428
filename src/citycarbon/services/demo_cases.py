"""Demo rectification cases: open, in progress, overdue, reopened and closed-and-rated ones.

Cases are created through the same use cases real users call (open, assign, inspect, require
rectification, upload evidence, submit, verify, close, reopen, rate), each with a back-dated
clock, so their timelines, deadlines and the metrics page look like a few months of work.
The first reporting enterprise (the demo enterprise account's) always gets a case waiting for
its rectification evidence and a closed case waiting for its rating, so a newcomer signed in
as that enterprise has something to do. It only loads into a city without cases, so running it
again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.supervision.cases import CaseState, Severity
from citycarbon.refdata.cases import load_deadline_book
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services import cases
from citycarbon.services.caller import Caller
from citycarbon.services.cases_escalation import escalate_overdue_cases
from citycarbon.store.case_tables import SupervisionCase, SupervisionCaseRating
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import EmissionResult, Organisation

#: Handling departments of a municipal ecology and environment bureau (demo names).
DEPARTMENTS = ("大气环境科", "水生态环境科", "执法一大队", "执法二大队", "应对气候变化科")
TITLES = (
    "二氧化硫小时浓度超标",
    "氮氧化物排放超出许可限值",
    "VOCs 在线监测数据中断",
    "申报用电量与电网数据偏差超过 20%",
    "单位产值能耗高于行业基准",
    "颗粒物排放同比大幅上升",
    "能源消费与产值变化不匹配",
    "COD 日均值超标",
)
SEVERITY_WEIGHTS = ((Severity.LOW, 3), (Severity.MEDIUM, 4), (Severity.HIGH, 2), (Severity.CRITICAL, 1))
#: Fates of demo cases, with weights: how far along the loop each gets (if time allows).
FATES = (("closed", 10), ("false_alarm", 3), ("reopened", 3), ("rectifying", 4), ("verifying", 2),
         ("inspecting", 2), ("assigned", 2), ("open", 2))  # fmt: skip


@dataclass(frozen=True)
class DemoCasesSummary:
    """What loading the demo cases wrote (``skipped`` when they were there already)."""

    cases: int
    by_state: dict[str, int]
    overdue: int
    escalated: int
    rated: int
    skipped: bool = False


@dataclass
class _Plan:
    organisation_id: int
    severity: Severity
    department: str
    title: str
    fate: str
    opened_at: dt.datetime
    firm: Caller
    rated: bool = False


def load_demo_cases(
    url: str, *, count: int = 48, seed: int = 7, now: dt.datetime | None = None
) -> DemoCasesSummary:
    """Create ``count`` demo cases over the last four months for the demo city's enterprises."""
    upgrade_database(url)
    at = now or dt.datetime.now(dt.UTC)
    with unit_of_work(url) as session:
        if session.scalar(select(func.count()).select_from(SupervisionCase)):
            return _summary(url, at, escalated=0, skipped=True)
        orgs = session.execute(
            select(Organisation.id, Organisation.region_code)
            .where(Organisation.kind == "enterprise")
            .order_by(Organisation.id)
            .limit(400)
        ).all()
        first_reporting = session.scalar(
            select(func.min(EmissionResult.organisation_id))
            .join(Organisation, Organisation.id == EmissionResult.organisation_id)
            .where(EmissionResult.superseded_at.is_(None), Organisation.kind == "enterprise")
        )
    if not orgs:
        return DemoCasesSummary(0, {}, 0, 0, 0, skipped=True)
    staff = _staff([code for _, code in orgs])
    rng = random.Random(seed)
    plans = [_plan(rng, rng.choice(orgs)[0], at) for _ in range(count)]
    if first_reporting is not None:  # the demo enterprise account's own to-do list
        plans.append(_plan(rng, first_reporting, at, fate="rectifying", days_ago=3.0))
        plans.append(_plan(rng, first_reporting, at, fate="closed", days_ago=20.0, rate=False))
    for plan in sorted(plans, key=lambda p: p.opened_at):
        _play(url, staff, plan, rng, at)
    escalated = escalate_overdue_cases(url, now=at)
    return _summary(url, at, escalated=len(escalated))


def _staff(region_codes: list[str]) -> Caller:
    """The demo analyst, reaching the provinces of every demo organisation."""
    catalogue = load_region_catalogue()
    provinces = set()
    for code in set(region_codes):
        chain = [code, *(r.code for r in catalogue.ancestors(code))] if code in catalogue else [code]
        provinces.add(chain[-1])
    return Caller(
        Principal(None, "demo-analyst", roles=frozenset({Role.ANALYST}), region_codes=frozenset(provinces))
    )


def _plan(
    rng: random.Random,
    organisation_id: int,
    at: dt.datetime,
    *,
    fate: str | None = None,
    days_ago: float | None = None,
    rate: bool = True,
) -> _Plan:
    severity = rng.choices([s for s, _ in SEVERITY_WEIGHTS], [w for _, w in SEVERITY_WEIGHTS])[0]
    chosen = fate or rng.choices([f for f, _ in FATES], [w for _, w in FATES])[0]
    ago = days_ago if days_ago is not None else rng.uniform(2.0, 120.0)
    firm = Caller(
        Principal(None, f"enterprise-{organisation_id}", organisation_id, frozenset({Role.ENTERPRISE}))
    )
    plan = _Plan(organisation_id, severity, rng.choice(DEPARTMENTS), rng.choice(TITLES), chosen,
                 at - dt.timedelta(days=ago), firm)  # fmt: skip
    plan.rated = rate and chosen in ("closed", "reopened") and rng.random() < 0.8
    return plan


def _play(url: str, staff: Caller, plan: _Plan, rng: random.Random, at: dt.datetime) -> None:
    """Open the case and take its steps, each a little later; stop at ``at`` (the present)."""
    handling_days = load_deadline_book().policy(plan.severity).handling_days
    clock = plan.opened_at
    case_id = cases.open_manual_case(
        url, staff, organisation_id=plan.organisation_id, severity=plan.severity.value, title=plan.title,
        department=plan.department, now=clock,
    )  # fmt: skip

    def step(share: float) -> bool:
        """Advance the clock by ``share`` of the deadline (jittered); False once past the present."""
        nonlocal clock
        clock += dt.timedelta(days=handling_days * share * rng.uniform(0.3, 1.6))
        return clock < at

    def act(action: str, who: Caller | None = None, **extra: str) -> None:
        cases.transition_case(url, who or staff, case_id, action, now=clock, **extra)

    if plan.fate == "open" or not step(0.05):
        return
    act("assign")
    if plan.fate == "assigned" or not step(0.1):
        return
    act("start_inspection", inspection_mode=rng.choice(("online", "online", "on_site")))
    if plan.fate == "inspecting" or not step(0.15):
        return
    if plan.fate == "false_alarm":
        act("close", note="核查后确认为数据传输异常，不属于超标排放")
        return
    act("require_rectification", note="请于期限内完成整改并上传佐证材料")
    if plan.fate == "rectifying" or not step(0.35):
        return
    _submit(url, plan, case_id, clock)
    if plan.fate == "verifying" or not step(0.15):
        return
    if rng.random() < 0.2 and step(0.1):  # some rectifications fail verification once
        act("verify_fail", note="整改材料不完整，请补充监测报告")
        if not step(0.2):
            return
        _submit(url, plan, case_id, clock)
        if not step(0.1):
            return
    act("verify_pass", note="现场复核整改到位")
    if plan.fate == "reopened" and step(0.5):
        if plan.rated:
            cases.rate_case(url, plan.firm, case_id, score=rng.choice((2, 3, 3, 4)), now=clock)
        act("reopen", note="复查发现问题反弹")
        if step(0.1):
            act("start_inspection", inspection_mode="on_site")
            if step(0.15):
                act("require_rectification", note="请再次整改")
        return
    if plan.rated and step(0.05):
        cases.rate_case(url, plan.firm, case_id, score=rng.choice((5, 5, 5, 4, 4, 3)), now=clock)


def _submit(url: str, plan: _Plan, case_id: int, clock: dt.datetime) -> None:
    report = f"整改报告：{plan.title}。已完成设备检修并恢复在线监测。".encode()
    cases.attach_evidence(
        url, plan.firm, case_id, file_name="整改报告.txt", content_type="text/plain; charset=utf-8",
        content=report, now=clock,
    )  # fmt: skip
    cases.transition_case(url, plan.firm, case_id, "submit", now=clock)


def _summary(url: str, at: dt.datetime, *, escalated: int, skipped: bool = False) -> DemoCasesSummary:
    with unit_of_work(url) as session:
        rows = session.execute(select(SupervisionCase.state, SupervisionCase.deadline_at)).all()
        rated = session.scalar(select(func.count(func.distinct(SupervisionCaseRating.case_id))))
    states = Counter(r.state for r in rows)
    overdue = sum(
        1
        for r in rows
        if r.state != CaseState.CLOSED.value
        and (r.deadline_at if r.deadline_at.tzinfo else r.deadline_at.replace(tzinfo=dt.UTC)) < at
    )
    return DemoCasesSummary(
        len(rows), dict(sorted(states.items())), overdue, escalated, int(rated or 0), skipped
    )
