"""MRV formulas: monitored data to sink tonnes, with every parameter used kept as lineage.

Both formulas are carbon-stock-change methods: what is measured (harvested shellfish, standing
stem volume) is turned into carbon with default parameters from versioned reference data, then
into CO2 with the molar-mass ratio 44/12. Arithmetic is in :class:`~decimal.Decimal` so a
report's total does not depend on summation order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from citycarbon.domain.sinks.errors import MSG_UNKNOWN_SPECIES, RegistryError

CO2_PER_C = Decimal(44) / Decimal(12)

SHELLFISH_PARAMETERS = ("dry_wet_ratio", "soft_tissue_share", "shell_share", "c_soft_tissue", "c_shell")
FORESTRY_PARAMETERS = (
    "basic_wood_density",
    "biomass_expansion_factor",
    "root_shoot_ratio",
    "carbon_fraction",
)


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """One default parameter of one species, as read from reference data (for lineage)."""

    species_code: str
    parameter: str
    value: Decimal
    unit: str
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class MeasuredQuantity:
    """One monitored quantity: harvested wet weight [t] or stem-volume change [m^3] of a species."""

    species_code: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class SinkLine:
    """The sink of one species with the parameters that produced it."""

    species_code: str
    quantity: Decimal
    unit: str
    sink_tco2e: Decimal
    parameters: tuple[ParameterValue, ...]


ParameterBook = Mapping[str, Mapping[str, ParameterValue]]


def _parameters(
    book: ParameterBook, species: str, names: Sequence[str], method: str, factor_set: str
) -> tuple[ParameterValue, ...]:
    found = book.get(species)
    if found is None or any(name not in found for name in names):
        raise RegistryError(MSG_UNKNOWN_SPECIES, methodology=method, species=species, factor_set=factor_set)
    return tuple(found[name] for name in names)


def compute_shellfish_sink(harvest_t: Decimal, parameters: Mapping[str, ParameterValue]) -> Decimal:
    """Removable carbon of harvested shellfish or seaweed, as CO2.

    ``sink = P × R_dw × (w_shell × c_shell + w_tissue × c_tissue) × 44/12``

    Parameters
    ----------
    harvest_t
        Harvested wet weight P [t].
    parameters
        ``dry_wet_ratio`` R_dw, ``shell_share`` and ``soft_tissue_share`` (mass shares of the dry
        weight), ``c_shell`` and ``c_soft_tissue`` (carbon content of each) [fraction].

    Returns
    -------
    Decimal
        Sink [tCO2e].

    References
    ----------
    HY/T 0305-2021 《养殖大型藻类和双壳贝类碳汇计量方法 碳储量变化法》 (干湿比, 质量比); 岳冬冬 & 王鲁民
    2012; default coefficients 孙康 et al. 2020, 地理研究 39(11):2508, Table 2.

    Examples
    --------
    With the mussel row of 孙康 et al. (R 0.7528; shares 0.9153 / 0.0847; C 0.1176 / 0.444),
    one tonne of harvest removes 0.4009 tCO2.

    """
    value = {name: parameters[name].value for name in SHELLFISH_PARAMETERS}
    carbon_t = (
        harvest_t
        * value["dry_wet_ratio"]
        * (value["shell_share"] * value["c_shell"] + value["soft_tissue_share"] * value["c_soft_tissue"])
    )
    return carbon_t * CO2_PER_C


def compute_tree_biomass_sink(
    stem_volume_change_m3: Decimal, parameters: Mapping[str, ParameterValue]
) -> Decimal:
    """Change of tree biomass carbon stock, as CO2, from a change of stem volume.

    ``ΔC = ΔV × WD × BEF × (1 + R) × CF × 44/12``

    Parameters
    ----------
    stem_volume_change_m3
        Stem volume at the end of the monitoring period minus that at its start, ΔV [m^3].
    parameters
        ``basic_wood_density`` WD [t/m^3], ``biomass_expansion_factor`` BEF, ``root_shoot_ratio`` R
        and ``carbon_fraction`` CF [fraction of dry matter].

    References
    ----------
    CCER-14-001-V01 《造林碳汇》 (MEE, 2023) and its predecessor AR-CM-001-V01, which follow CDM
    A/R tools and IPCC 2006 Vol. 4; the volume-expansion form is the "biomass expansion factor"
    method of those tools.

    """
    value = {name: parameters[name].value for name in FORESTRY_PARAMETERS}
    biomass_t = stem_volume_change_m3 * value["basic_wood_density"] * value["biomass_expansion_factor"]
    return biomass_t * (1 + value["root_shoot_ratio"]) * value["carbon_fraction"] * CO2_PER_C


def compute_shellfish_report(
    harvests: Iterable[MeasuredQuantity], book: ParameterBook, factor_set: str
) -> tuple[SinkLine, ...]:
    """Sink of each harvested species (HY/T 0305 carbon-stock-change method)."""
    lines = []
    for harvest in harvests:
        used = _parameters(book, harvest.species_code, SHELLFISH_PARAMETERS, "HY/T 0305", factor_set)
        sink = compute_shellfish_sink(harvest.quantity, {p.parameter: p for p in used})
        lines.append(SinkLine(harvest.species_code, harvest.quantity, harvest.unit, sink, used))
    return tuple(lines)


def compute_forestry_report(
    strata: Iterable[MeasuredQuantity],
    book: ParameterBook,
    factor_set: str,
    baseline_tco2e: Decimal = Decimal(0),
    leakage_tco2e: Decimal = Decimal(0),
) -> tuple[SinkLine, ...]:
    """Net removals of an afforestation project: project stock change − baseline − leakage.

    Baseline removals and leakage are entered by the project developer (CCER-14-001 lets most
    projects take them as zero); they are added as negative lines so the report shows them.
    """
    lines = []
    for stratum in strata:
        used = _parameters(book, stratum.species_code, FORESTRY_PARAMETERS, "CCER-14-001", factor_set)
        sink = compute_tree_biomass_sink(stratum.quantity, {p.parameter: p for p in used})
        lines.append(SinkLine(stratum.species_code, stratum.quantity, stratum.unit, sink, used))
    for code, amount in (("baseline", baseline_tco2e), ("leakage", leakage_tco2e)):
        if amount:
            lines.append(SinkLine(code, amount, "tCO2e", -amount, ()))
    return tuple(lines)


def issuable_tonnes(lines: Iterable[SinkLine]) -> int:
    """Whole tonnes that may be issued: the total rounded down, never below zero.

    Rounding down is conservative: a registry may under-issue a fraction of a tonne, but must
    never issue a unit that no removal backs.
    """
    total = sum((line.sink_tco2e for line in lines), Decimal(0))
    return max(0, int(total))  # int() truncates towards zero, i.e. floors a positive Decimal
