"""The accounting formulas of the Chinese enterprise guidelines, on plain numbers.

These scalar functions are the reference the vectorised engine is tested against, and they
turn reference parameters into per-unit factors for the engine's factor table.

References
----------
GB/T 32150-2015 通则; GB/T 32151.22-2024 Appendix C; NDRC 2015 《工业其他行业企业温室气体排放
核算方法与报告指南（试行）》; GB/T 2589-2020 综合能耗计算通则; 2006 IPCC Guidelines Vol.3 Ch.2.
"""

from __future__ import annotations

#: Ratio of the molar masses of CO2 and C (44.0095 / 12.011 ≈ 44/12, as the guidelines write it).
CO2_PER_C = 44.0 / 12.0
#: CO2 released per unit CaO and MgO formed from their carbonates (stoichiometric).
CO2_PER_CAO = 44.0 / 56.0
CO2_PER_MGO = 44.0 / 40.0
#: GJ per tonne of standard coal: 1 kgce = 29 307.6 kJ (GB/T 2589-2020).
GJ_PER_TCE = 29.3076


def fuel_emission_factor(
    ncv_gj_per_unit: float, carbon_content_tc_per_gj: float, oxidation_rate: float
) -> float:
    """Return the CO2 emission factor of a fuel [tCO2 per unit of fuel].

    Parameters
    ----------
    ncv_gj_per_unit
        Net calorific value [GJ/t or GJ/10^4 Nm3].
    carbon_content_tc_per_gj
        Carbon content per unit heat [tC/GJ].
    oxidation_rate
        Carbon oxidation rate [fraction, 0–1].

    Examples
    --------
    >>> round(fuel_emission_factor(42.652, 0.0202, 0.98), 4)  # diesel, set A
    3.0959
    """
    return ncv_gj_per_unit * carbon_content_tc_per_gj * oxidation_rate * CO2_PER_C


def fuel_combustion_co2(
    quantity: float, ncv_gj_per_unit: float, carbon_content_tc_per_gj: float, oxidation_rate: float
) -> float:
    """Return CO2 from burning ``quantity`` of a fuel [tCO2]: FC × NCV × CC × OF × 44/12."""
    return quantity * fuel_emission_factor(ncv_gj_per_unit, carbon_content_tc_per_gj, oxidation_rate)


def non_co2_emissions_tco2e(
    heat_gj: float, ch4_t_per_gj: float, n2o_t_per_gj: float, gwp_ch4: float, gwp_n2o: float
) -> float:
    """Return CH4 and N2O from combustion as CO2-equivalent [tCO2e] (optional in China's guides)."""
    return heat_gj * (ch4_t_per_gj * gwp_ch4 + n2o_t_per_gj * gwp_n2o)


def oxide_process_factor(cao_fraction: float, mgo_fraction: float) -> float:
    """Return CO2 per tonne of clinker or lime from its CaO and MgO content [tCO2/t].

    Examples
    --------
    >>> round(oxide_process_factor(0.65, 0.0), 4)  # IPCC default clinker
    0.5107
    """
    return cao_fraction * CO2_PER_CAO + mgo_fraction * CO2_PER_MGO


def indirect_emissions(quantity: float, factor: float) -> float:
    """Return emissions of net purchased electricity [MWh × tCO2/MWh] or heat [GJ × tCO2/GJ]."""
    return quantity * factor


def tce_per_unit_from_ncv(ncv_gj_per_unit: float) -> float:
    """Return standard coal per unit of fuel from its NCV [tce/unit] (GB/T 2589 definition)."""
    return ncv_gj_per_unit / GJ_PER_TCE
