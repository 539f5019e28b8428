"""The factor book: every factor the ledger may apply, each with the lineage it must record.

A factor book is assembled from versioned reference data (``citycarbon.refdata.factor_book``)
and handed to the engines; the domain only knows its shape and its lookup rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from citycarbon.domain.errors import FactorNotFound

GwpMetric = Literal["AR5GWP100", "AR6GWP100"]


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a factor came from: set, version, key, source text and verification status."""

    factor_set: str
    factor_version: str
    factor_key: str
    source: str
    status: str

    @property
    def lineage_id(self) -> str:
        """Stable identifier ``set@version:key``, recorded on every result line."""
        return f"{self.factor_set}@{self.factor_version}:{self.factor_key}"


@dataclass(frozen=True, slots=True)
class FuelFactor:
    """Default parameters of one fuel and the CO2 factor they imply."""

    fuel_code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    activity_unit: str
    ipcc_family: str
    ncv_gj_per_unit: float
    carbon_content_tc_per_gj: float
    oxidation_rate: float
    co2_t_per_unit: float
    lineage: Lineage


@dataclass(frozen=True, slots=True)
class ProcessFactor:
    """CO2 per tonne of a process material (clinker, lime, carbonate) and its parameters."""

    process_code: str
    name_zh: str
    name_en: str
    co2_t_per_t: float
    parameters: tuple[tuple[str, float], ...]
    lineage: Lineage


@dataclass(frozen=True, slots=True)
class GridFactor:
    """Electricity factor of a grid for the data year it was published for [tCO2/MWh]."""

    grid_code: str
    data_year: int
    co2_t_per_mwh: float
    method: str
    document: str
    lineage: Lineage


@dataclass(frozen=True, slots=True)
class SimpleFactor:
    """A single value with lineage: heat factor [tCO2/GJ] or standard-coal coefficient."""

    value: float
    unit: str
    lineage: Lineage


@dataclass(frozen=True, slots=True)
class GridChoice:
    """The factor applied for a data year, and why it may differ from that year."""

    factor: GridFactor
    flag: str | None


@dataclass(frozen=True)
class FactorBook:
    """All factors of one accounting configuration, with the lookups the engines need."""

    fuels: dict[str, FuelFactor]
    processes: dict[str, ProcessFactor]
    grid_series: dict[str, tuple[GridFactor, ...]]
    residual_grid: dict[str, str]
    grid_names: dict[str, tuple[str, str]]
    heat: dict[str, SimpleFactor]
    tce: dict[str, SimpleFactor]
    gwp: dict[str, dict[str, float]]
    gwp_lineage: dict[str, Lineage]
    non_co2_t_per_gj: dict[str, dict[str, float]]
    non_co2_lineage: Lineage
    factor_sets: dict[str, str] = field(default_factory=dict)

    def grid_factor(self, grid_code: str, year: int) -> GridChoice:
        """Pick the factor published for ``year``, else the latest before it, else the earliest.

        The MEE+NBS factors appear about two years after their data year, so current data
        routinely needs the latest published one; the choice is flagged in the lineage.
        """
        series = self.grid_series.get(grid_code)
        if not series:
            raise FactorNotFound(
                "No electricity factors for grid '{grid}'; known grids: {known}",
                grid=grid_code,
                known=", ".join(sorted(self.grid_series)),
            )
        earlier = [f for f in series if f.data_year <= year]
        if earlier:
            chosen = earlier[-1]
            if chosen.data_year == year:
                return GridChoice(chosen, None)
            flag = (
                f"latest_published:{chosen.data_year}"
                if chosen is series[-1]
                else f"nearest_earlier:{chosen.data_year}"
            )
            return GridChoice(chosen, flag)
        return GridChoice(series[0], f"earliest_published:{series[0].data_year}")

    def fuel_by_name(self) -> dict[str, str]:
        """Map every accepted spelling of a fuel (code, Chinese and English names, aliases) to its code."""
        names: dict[str, str] = {}
        for fuel in self.fuels.values():
            for name in (fuel.fuel_code, fuel.name_zh, fuel.name_en, *fuel.aliases):
                names[name.strip().lower()] = fuel.fuel_code
        return names

    def process_by_name(self) -> dict[str, str]:
        """Map every accepted spelling of a process material to its code."""
        names: dict[str, str] = {}
        for process in self.processes.values():
            for name in (process.process_code, process.name_zh, process.name_en):
                names[name.strip().lower()] = process.process_code
        return names
