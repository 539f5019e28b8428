"""Write a reproducible synthetic Taizhou (organisations, production, activity) for demos.

``citycarbon demo`` needs data that behaves like a real city without being one: a few
thousand organisations spread over the nine county-level divisions with real region and
industry codes, and three years of monthly production and energy data. The figures are
invented (see :mod:`citycarbon.services.demo_vocabulary`); the structure is not, so the
files go through the same importer as a real enterprise's upload.

Realism that later features rely on:

* within an industry, a firm's energy intensity is log-normal (sigma 0.5) with a few
  outliers, so carbon-efficiency grades spread over all five levels;
* output dips at the Chinese New Year and grows year on year; energy follows output only
  partly, because a factory's base load runs whether or not it produces;
* a handful of valid but awkward cases: months with zero value added, a shutdown month with
  zero output but base-load energy, individual businesses' missing months, two units of
  electricity, multi-site firms, green electricity with certificate numbers.

Python's :mod:`random` seeded once drives everything, so a seed fixes every byte written.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from citycarbon.services import demo_vocabulary as vocab
from citycarbon.services.demo_vocabulary import IndustryProfile, Region, Use

INDIVIDUAL_SHARE = 0.3
PARK_SHARE = 0.005
OUTLIER_SHARE = 0.03
GREEN_CHANCE = 0.07  # per enterprise, so about 5 % of all organisations buy green electricity
MULTI_SITE_CHANCE = 0.1  # per enterprise above 30 mu, about 3 % of all organisations
AWKWARD_SHARE = 0.01
MISSING_PRODUCTION_SHARE = 0.1  # of individual businesses' months
INTENSITY_SIGMA = 0.5
BASE_LOAD = 0.3  # share of energy use that does not follow output (lighting, HVAC, idle)

ORGANISATION_COLUMNS = ("uscc", "name", "kind", "industry_code", "region_code", "area_mu")
PRODUCTION_COLUMNS = ("uscc", "period", "output_value_10k_cny", "value_added_10k_cny")
ACTIVITY_COLUMNS = ("uscc", "site", "period", "category", "item", "quantity", "unit", "certificate")


@dataclass(frozen=True)
class DemoFiles:
    """The three files written by :func:`write_demo_files`, and what they hold.

    Parameters
    ----------
    organisations, production, activity
        Paths of ``organisations.csv``, ``production.csv`` and ``activity.csv``.
    organisation_count
        Rows of ``organisations.csv``.
    activity_rows
        Rows of ``activity.csv``, so a caller can report progress without re-reading it.
    """

    organisations: Path
    production: Path
    activity: Path
    organisation_count: int
    activity_rows: int


@dataclass
class _Organisation:
    """One synthetic organisation and the hidden traits that shape its monthly data."""

    uscc: str
    name: str
    kind: str
    profile: IndustryProfile
    region: Region
    area_mu: float
    opening: int  # index of the first month with data (a few firms open during the years)
    output_10k_cny: float  # output value of an average month in the first year
    levels: list[float]  # output relative to that average, per month (0 before opening)
    value_added_share: float
    efficiency: float  # multiplies every energy intensity; log-normal across firms
    electricity_unit: str
    sites: tuple[tuple[str | None, float], ...]
    green_share: float
    zero_value_added: frozenset[int]
    reports_value_added: bool


def write_demo_files(
    dest: Path,
    *,
    organisations: int = 3000,
    years: tuple[int, ...] = (2022, 2023, 2024),
    seed: int = 20231031,
) -> DemoFiles:
    """Write ``organisations.csv``, ``production.csv`` and ``activity.csv`` into ``dest``.

    Parameters
    ----------
    dest
        Directory to write into; created when missing, existing files are replaced.
    organisations
        Number of organisations: about 70 % enterprises, 30 % individual businesses and
        0.5 % industrial parks (at least one).
    years
        Calendar years of monthly data, in any order; growth is counted from the earliest.
    seed
        Seed of the random generator; the same seed writes identical bytes.

    Returns
    -------
    DemoFiles
        Paths of the files and their sizes.

    Raises
    ------
    ValueError
        When ``organisations`` is below 1 or ``years`` is empty.

    Examples
    --------
    >>> import tempfile
    >>> files = write_demo_files(Path(tempfile.mkdtemp()), organisations=20, years=(2024,))
    >>> files.organisation_count
    20
    """
    if organisations < 1:
        raise ValueError("organisations must be at least 1")
    if not years:
        raise ValueError("years must name at least one year")
    rng = random.Random(seed)
    months = [(year, month) for year in sorted(set(years)) for month in range(1, 13)]
    periods = [f"{year}-{month:02d}" for year, month in months]
    orgs = _make_organisations(rng, organisations, months)
    dest.mkdir(parents=True, exist_ok=True)
    paths = (dest / "organisations.csv", dest / "production.csv", dest / "activity.csv")
    _write(paths[0], _organisation_rows(orgs), ORGANISATION_COLUMNS)
    _write(paths[1], _production_rows(rng, orgs, periods), PRODUCTION_COLUMNS)
    activity_rows = _write(paths[2], _activity_rows(rng, orgs, periods), ACTIVITY_COLUMNS)
    return DemoFiles(*paths, organisation_count=len(orgs), activity_rows=activity_rows)


def _pick_profile(rng: random.Random, profiles: Sequence[IndustryProfile], region: Region) -> IndustryProfile:
    """Draw an industry, favouring the region's clusters (pumps in Wenling, valves in Yuhuan)."""
    weights = [
        p.weight * max((f for k, f in region.clusters.items() if p.code[1:].startswith(k)), default=1.0)
        for p in profiles
    ]
    return rng.choices(profiles, weights)[0]


def _monthly_levels(rng: random.Random, months: Sequence[tuple[int, int]], opening: int) -> list[float]:
    """Output per month relative to the first year's average: growth, season, New Year."""
    growth = rng.gauss(0.05, 0.08)
    first_year = months[0][0]
    levels = []
    for index, (year, month) in enumerate(months):
        level = vocab.MONTH_LEVEL[month - 1] * (1 + growth) ** (year - first_year + month / 12)
        if month <= 2:
            level *= vocab.NEW_YEAR_DIP[vocab.NEW_YEAR_MONTH.get(year, 2)][month - 1]
        levels.append(0.0 if index < opening else level * rng.gauss(1, 0.05))
    return levels


def _make_kinds(rng: random.Random, count: int) -> list[str]:
    """Shuffle the kinds of ``count`` organisations: mostly enterprises, a few parks."""
    parks = max(1, round(count * PARK_SHARE)) if count >= 10 else 0
    individuals = round((count - parks) * INDIVIDUAL_SHARE)
    kinds = ["park"] * parks + ["individual_business"] * individuals
    kinds += ["enterprise"] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _awkward_months(rng: random.Random, opening: int, month_count: int) -> frozenset[int]:
    """Two or three consecutive months without value added (a bad quarter, a refit)."""
    if month_count - opening < 4:
        return frozenset()
    start = rng.randrange(opening, month_count - 3)
    return frozenset(range(start, start + rng.choice((2, 3))))


def _make_organisations(
    rng: random.Random, count: int, months: Sequence[tuple[int, int]]
) -> list[_Organisation]:
    """Draw every organisation's identity and hidden traits before any monthly row is written."""
    kinds = _make_kinds(rng, count)
    enterprises = [i for i, kind in enumerate(kinds) if kind == "enterprise"]
    awkward = rng.sample(enterprises, min(len(enterprises), max(2, round(len(enterprises) * AWKWARD_SHARE))))
    codes: set[str] = set()
    names: set[str] = set()
    orgs = []
    for index, kind in enumerate(kinds):
        region = rng.choices(vocab.REGIONS, [region.weight for region in vocab.REGIONS])[0]
        if kind == "park":
            profile = vocab.PARK_PROFILE
        else:
            candidates = vocab.ENTERPRISE_INDUSTRIES if kind == "enterprise" else vocab.INDIVIDUAL_INDUSTRIES
            profile = _pick_profile(rng, candidates, region)
        area = profile.area_mu * rng.lognormvariate(0, 0.7 if kind == "enterprise" else 0.5)
        opening = rng.randrange(1, len(months)) if len(months) > 1 and rng.random() < 0.04 else 0
        levels = _monthly_levels(rng, months, opening)
        efficiency = rng.lognormvariate(0, INTENSITY_SIGMA)
        if rng.random() < OUTLIER_SHARE:  # an ageing plant, or a showcase smart factory
            efficiency *= rng.choice((3.0, 4.0, 0.25))
        zero_value_added: frozenset[int] = frozenset()
        if index in awkward:
            zero_value_added = _awkward_months(rng, opening, len(months))
            if zero_value_added and awkward.index(index) % 2:
                levels[min(zero_value_added)] = 0.0  # shutdown: no output, base-load energy
        multi_site = kind == "enterprise" and area > 30 and rng.random() < MULTI_SITE_CHANCE
        main_share = rng.uniform(0.55, 0.8)
        green = kind == "enterprise" and rng.random() < GREEN_CHANCE
        orgs.append(
            _Organisation(
                uscc=vocab.draw_uscc(rng, "2" if kind == "individual_business" else "1", region, codes),
                name=vocab.draw_name(rng, kind, profile, region, names),
                kind=kind,
                profile=profile,
                region=region,
                area_mu=area,
                opening=opening,
                output_10k_cny=area * profile.output_per_mu / 12 * rng.lognormvariate(0, 0.4),
                levels=levels,
                value_added_share=rng.uniform(0.2, 0.3),
                efficiency=efficiency,
                electricity_unit="万千瓦时" if kind == "enterprise" and rng.random() < 0.45 else "MWh",
                sites=(("main", main_share), ("plant2", 1 - main_share)) if multi_site else ((None, 1.0),),
                green_share=rng.uniform(0.1, 0.4) if green else 0.0,
                zero_value_added=zero_value_added,
                reports_value_added=kind != "individual_business" or rng.random() < 0.7,
            )
        )
    return orgs


def _write(path: Path, rows: list[tuple[str | None, ...]], columns: tuple[str, ...]) -> int:
    """Write rows of preformatted cells, so that every number keeps its stated decimals."""
    pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row").write_csv(path)
    return len(rows)


def _organisation_rows(orgs: Sequence[_Organisation]) -> list[tuple[str | None, ...]]:
    return [(o.uscc, o.name, o.kind, o.profile.code, o.region.code, f"{o.area_mu:.2f}") for o in orgs]


def _production_rows(
    rng: random.Random, orgs: Sequence[_Organisation], periods: Sequence[str]
) -> list[tuple[str | None, ...]]:
    """Monthly output value and value added; parks report none, their tenants do."""
    rows: list[tuple[str | None, ...]] = []
    for org in orgs:
        if org.kind == "park":
            continue
        for index in range(org.opening, len(periods)):
            if org.kind == "individual_business" and rng.random() < MISSING_PRODUCTION_SHARE:
                continue
            output = org.output_10k_cny * org.levels[index]
            value_added = f"{output * org.value_added_share * rng.gauss(1, 0.04):.2f}"
            if index in org.zero_value_added:
                value_added = "0.00"
            rows.append(
                (org.uscc, periods[index], f"{output:.2f}", value_added if org.reports_value_added else None)
            )
    return rows


def _uses(rng: random.Random, org: _Organisation) -> list[Use]:
    """The items a firm reports: grid electricity, its drawn bundles, green electricity."""
    bundles = org.profile.bundles
    if org.kind == "enterprise":
        bundles += vocab.COMMON_ENTERPRISE_BUNDLES
    drawn = [b for b in bundles if rng.random() < b.probability] or [bundles[0]]
    uses = [Use("electricity", "grid", org.electricity_unit, org.profile.electricity_mwh)]
    items = {"grid"}
    for use in (use for bundle in drawn for use in bundle.uses):
        if use.item not in items:
            items.add(use.item)
            uses.append(use._replace(per_output=use.per_output * rng.lognormvariate(0, 0.2)))
    if org.green_share:
        uses.append(Use("electricity", "green", "MWh", org.profile.electricity_mwh))
    return uses


def _monthly_scale(org: _Organisation, use: Use, site_share: float) -> float:
    """Quantity of an average month in the first year, in the unit the row is written in."""
    scale = org.output_10k_cny * use.per_output * org.efficiency * site_share
    if use.item == "green":
        return scale * org.green_share
    if use.category == "electricity":  # green electricity replaces part of the grid purchase
        scale *= (1 - org.green_share) / (10 if use.unit == "万千瓦时" else 1)
    return scale


def _activity_rows(
    rng: random.Random, orgs: Sequence[_Organisation], periods: Sequence[str]
) -> list[tuple[str | None, ...]]:
    """Monthly quantities: output x intensity x firm efficiency, with base load and noise."""
    summer = [1.08 if period[5:] in ("07", "08") else 1.0 for period in periods]
    certificates = 0
    rows: list[tuple[str | None, ...]] = []
    for org in orgs:
        uses = _uses(rng, org)
        for site, share in org.sites:
            for use in uses:
                scale = _monthly_scale(org, use, share)
                for index in range(org.opening, len(periods)):
                    period = periods[index]
                    quantity = scale * (BASE_LOAD + (1 - BASE_LOAD) * org.levels[index])
                    quantity *= math.exp(rng.gauss(0, 0.06))
                    if use.category == "electricity":  # air conditioning
                        quantity *= summer[index]
                    certificate = None
                    if use.item == "green":
                        certificates += 1
                        certificate = f"GEC-{period[:4]}-{certificates:06d}"
                    cell = f"{max(quantity, 0.001):.3f}"
                    rows.append((org.uscc, site, period, use.category, use.item, cell, use.unit, certificate))
    return rows
