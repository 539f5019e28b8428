"""The government dashboard: a region's totals, trends, breakdowns, grades and reporting gaps.

Only administrators and analysts see it, and an analyst only over the regions granted to them:
the figures are sums over :func:`citycarbon.services.scope.visible_organisations`, so a region
outside the caller's grant contributes nothing, whatever ``region_code`` is asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select, true

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.services.caller import Caller
from citycarbon.services.rating import read_grades
from citycarbon.services.scope import visible_organisations
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import EmissionResult, Organisation, Period

MSG_DASHBOARD_ROLE = "The dashboard is for administrators and analysts"
TOP_EMITTERS = 10
MISSING_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Emissions and energy of one group (a region or an industry) in the dashboard's year."""

    code: str
    name: str
    organisation_count: int
    emissions_tco2e: float
    energy_tce: float
    can_drill_down: bool = False


@dataclass(frozen=True, slots=True)
class OrganisationLine:
    """One organisation in a list (top emitters, organisations that have not reported)."""

    organisation_id: int
    uscc: str
    name: str
    emissions_tco2e: float = 0.0


class OrganisationTotal(NamedTuple):
    """One organisation's sums in the dashboard's year."""

    organisation_id: int
    uscc: str
    name: str
    region_code: str
    industry_code: str | None
    emissions_tco2e: float
    energy_tce: float


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one year and one region."""

    year: int | None
    years: list[int]
    region_code: str | None
    region_path: list[tuple[str, str]]
    emissions_tco2e: float = 0.0
    energy_tce: float = 0.0
    organisation_count: int = 0
    reported_count: int = 0
    trend: list[tuple[int, float, float]] = field(default_factory=list)
    by_region: list[Breakdown] = field(default_factory=list)
    by_industry: list[Breakdown] = field(default_factory=list)
    grades: list[tuple[str, int]] = field(default_factory=list)
    top_emitters: list[OrganisationLine] = field(default_factory=list)
    not_reported: list[OrganisationLine] = field(default_factory=list)


def _area(region_code: str | None) -> ColumnElement[bool]:
    if region_code is None:
        return true()
    catalogue = load_region_catalogue()
    code = catalogue.validate(region_code).code
    return Organisation.region_code.in_({code, *(r.code for r in catalogue.descendants(code))})


def _child_of(region_code: str | None, county_code: str) -> str:
    """The region one level below ``region_code`` that contains ``county_code``."""
    catalogue = load_region_catalogue()
    chain = [county_code, *(r.code for r in catalogue.ancestors(county_code))] if county_code else []
    if region_code is None:
        return chain[-1] if chain else county_code
    for position, code in enumerate(chain):
        if code == region_code and position > 0:
            return chain[position - 1]
    return county_code


def _region_name(code: str) -> str:
    found = load_region_catalogue().get(code)
    return found.name if found is not None else code


def _industry_name(code: str) -> str:
    names = {i.code: i.name for i in load_industry_catalogue().at_each_level("division")}
    return names.get(code, code)


def _division_of(industry_code: str | None) -> str:
    """The GB/T 4754 division (two-digit level) an industry code belongs to."""
    if not industry_code:
        return ""
    catalogue = load_industry_catalogue()
    node = catalogue.validate(industry_code)
    chain = [node, *catalogue.ancestors(node.code)]
    return next((i.code for i in chain if i.level == "division"), node.code)


def build_dashboard(url: str, caller: Caller, year: int | None, region_code: str | None) -> Dashboard:
    """Sum the caller's visible organisations in ``region_code`` for ``year`` (default: latest).

    Raises
    ------
    Forbidden
        When the caller is neither an administrator nor an analyst.

    """
    principal = caller.principal
    if not (principal.holds(Role.ADMIN) or principal.holds(Role.ANALYST)):
        raise Forbidden(MSG_DASHBOARD_ROLE)
    where = visible_organisations(caller) & _area(region_code)
    current = (EmissionResult.superseded_at.is_(None),)
    with unit_of_work(url) as session:
        trend = session.execute(
            select(Period.year, func.sum(EmissionResult.total_tco2e), func.sum(EmissionResult.energy_tce))
            .join(Period, Period.id == EmissionResult.period_id)
            .join(Organisation, Organisation.id == EmissionResult.organisation_id)
            .where(where, *current)
            .group_by(Period.year)
            .order_by(Period.year)
        ).all()
        years = [int(y) for y, _, _ in trend]
        chosen = year if year in years else (years[-1] if years else None)
        rows = [
            OrganisationTotal(*row)
            for row in session.execute(
                select(
                    Organisation.id,
                    Organisation.uscc,
                    Organisation.name,
                    Organisation.region_code,
                    Organisation.industry_code,
                    func.sum(EmissionResult.total_tco2e),
                    func.sum(EmissionResult.energy_tce),
                )
                .join(Period, Period.id == EmissionResult.period_id)
                .join(Organisation, Organisation.id == EmissionResult.organisation_id)
                .where(where, Period.year == chosen, *current)
                .group_by(Organisation.id)
            )
        ]
        everyone = session.execute(
            select(Organisation.id, Organisation.uscc, Organisation.name)
            .where(where, Organisation.kind != "bank")
            .order_by(Organisation.uscc)
        ).all()
    path = [(code, _region_name(code)) for code in _path(region_code)]
    board = Dashboard(chosen, years, region_code, path, trend=[(int(y), t, e) for y, t, e in trend])
    board.organisation_count = len(everyone)
    board.reported_count = len(rows)
    board.emissions_tco2e = sum(r.emissions_tco2e for r in rows)
    board.energy_tce = sum(r.energy_tce for r in rows)
    board.by_region = _group(rows, lambda r: _child_of(region_code, r.region_code), _region_name, drill=True)
    board.by_industry = _group(rows, lambda r: _division_of(r.industry_code), _industry_name)
    ranked = sorted(rows, key=lambda r: r.emissions_tco2e, reverse=True)[:TOP_EMITTERS]
    board.top_emitters = [
        OrganisationLine(r.organisation_id, r.uscc, r.name, r.emissions_tco2e) for r in ranked
    ]
    reported = {r.organisation_id for r in rows}
    missing = [OrganisationLine(i, u, n) for i, u, n in everyone if i not in reported]
    board.not_reported = missing[:MISSING_SHOWN]
    if chosen is not None:
        board.grades = _grade_counts(url, chosen, {r.uscc for r in rows})
    return board


def _path(region_code: str | None) -> list[str]:
    if region_code is None:
        return []
    catalogue = load_region_catalogue()
    return [*(r.code for r in reversed(catalogue.ancestors(region_code))), region_code]


def _group(
    rows: Sequence[OrganisationTotal],
    key: Callable[[OrganisationTotal], str],
    name: Callable[[str], str],
    drill: bool = False,
) -> list[Breakdown]:
    sums: dict[str, tuple[int, float, float]] = {}
    for row in rows:
        code = key(row)
        count, total, energy = sums.get(code, (0, 0.0, 0.0))
        sums[code] = (count + 1, total + row.emissions_tco2e, energy + row.energy_tce)
    catalogue = load_region_catalogue()
    groups = [
        Breakdown(
            code,
            name(code),
            count,
            total,
            energy,
            drill and catalogue.get(code) is not None and bool(catalogue.children(code)),
        )
        for code, (count, total, energy) in sums.items()
    ]
    return sorted(groups, key=lambda g: g.emissions_tco2e, reverse=True)


def _grade_counts(url: str, year: int, usccs: set[str]) -> list[tuple[str, int]]:
    grades = read_grades(url, str(year))
    if grades.is_empty():
        return []
    counts = Counter(
        str(code)
        for uscc, code in zip(grades["uscc"], grades["grade_code"], strict=True)
        if uscc in usccs and code is not None
    )
    return sorted(counts.items())
