"""Give the demo city industrial parks and a quarterly synergy index by district.

Parks: in each of the three districts with the most enterprises, one park of the enterprises
of the district's largest industry division (GB/T 4754 two-digit code), up to 40 members —
roughly how a county's specialised industrial zone looks. Then every quarter of the latest
year with ledger results is evaluated at county, city and park level.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.indicator_evaluation import DEFAULT_LEVELS, evaluate_quarter
from citycarbon.services.parks import ParkSpec, save_parks
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import EmissionResult, Organisation, Period

PARKS = 3
MEMBERS_PER_PARK = 40


@dataclass(frozen=True)
class DemoIndexSummary:
    """What :func:`load_demo_index` wrote."""

    parks: int
    park_members: int
    quarters: tuple[str, ...]
    runs: int


def _demo_parks(url: str) -> list[ParkSpec]:
    catalogue = load_region_catalogue()
    with unit_of_work(url) as session:
        rows = session.execute(
            select(Organisation.id, Organisation.region_code, Organisation.industry_code)
            .where(Organisation.kind == "enterprise", Organisation.industry_code.is_not(None))
            .order_by(Organisation.id)
        ).all()
    by_region: dict[str, list[tuple[int, str]]] = {}
    for organisation_id, region, industry in rows:
        by_region.setdefault(region, []).append((organisation_id, str(industry)[:3]))
    specs = []
    for region, members in sorted(by_region.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:PARKS]:
        counts: dict[str, int] = {}
        for _, division in members:
            counts[division] = counts.get(division, 0) + 1
        division = max(sorted(counts), key=lambda d: counts[d])
        chosen = tuple(o for o, d in members if d == division)[:MEMBERS_PER_PARK]
        found = catalogue.get(region)
        place = found.name if found else region
        specs.append(ParkSpec(f"P{region}-{division}", f"{place}{division}产业园", region, chosen))
    return specs


def load_demo_index(url: str) -> DemoIndexSummary:
    """Define the demo parks and evaluate the latest year's quarters (county, city, park)."""
    upgrade_database(url)
    specs = _demo_parks(url)
    with unit_of_work(url) as session:
        members = save_parks(session, specs)
        year = session.execute(
            select(func.max(Period.year))
            .join(EmissionResult, EmissionResult.period_id == Period.id)
            .where(EmissionResult.superseded_at.is_(None))
        ).scalar()
    quarters = tuple(f"{year}-Q{q}" for q in range(1, 5)) if year else ()
    runs = 0
    for quarter in quarters:
        summary = evaluate_quarter(url, quarter, levels=DEFAULT_LEVELS, trigger="demo")
        runs += sum(1 for level in summary.levels if not level.skipped)
    return DemoIndexSummary(len(specs), members, quarters, runs)
