"""Factor book lookups: grid factor selection by data year (with flags), names and lineage ids.

Expected grid factors are the published MEE+NBS and MEE ETS values of china-reference.md §3.
"""

from __future__ import annotations

import pytest

from citycarbon.domain.errors import FactorNotFound
from citycarbon.domain.ledger.factors import (
    FactorBook,
    FuelFactor,
    GridFactor,
    Lineage,
    ProcessFactor,
)
from citycarbon.refdata.factor_book import load_factor_book


@pytest.fixture(scope="module")
def book() -> FactorBook:
    return load_factor_book("fuel_cn_gbt32151")


def _lineage(key: str) -> Lineage:
    return Lineage("test_set", "1.0", key, "hand-made", "VERIFIED")


def _grid(code: str, year: int, value: float) -> GridFactor:
    return GridFactor(code, year, value, "location", "doc", _lineage(f"{code}:{year}"))


def _small_book(series: dict[str, tuple[GridFactor, ...]]) -> FactorBook:
    fuel = FuelFactor(
        "diesel",
        "柴油",
        "diesel",
        ("0号柴油",),
        "t",
        "oil",
        42.652,
        0.0202,
        0.98,
        42.652 * 0.0202 * 0.98 * 44 / 12,
        _lineage("diesel"),
    )
    clinker = ProcessFactor(
        "cement_clinker",
        "水泥熟料",
        "cement clinker",
        0.65 * 44 / 56,
        (("cao_fraction", 0.65),),
        _lineage("cement_clinker"),
    )
    return FactorBook(
        fuels={"diesel": fuel},
        processes={"cement_clinker": clinker},
        grid_series=series,
        residual_grid={},
        grid_names={},
        heat={},
        tce={},
        gwp={},
        gwp_lineage={},
        non_co2_t_per_gj={},
        non_co2_lineage=_lineage("non_co2"),
    )


@pytest.mark.parametrize(
    ("year", "value", "data_year", "flag"),
    [
        (2021, 0.5568, 2021, None),
        (2022, 0.5366, 2022, None),
        (2023, 0.5306, 2023, None),
        (2024, 0.5306, 2023, "latest_published:2023"),
        (2025, 0.5306, 2023, "latest_published:2023"),
        (2019, 0.5568, 2021, "earliest_published:2021"),
        (2015, 0.5568, 2021, "earliest_published:2021"),
    ],
)
def test_national_grid_factor_by_year(
    book: FactorBook, year: int, value: float, data_year: int, flag: str | None
) -> None:
    choice = book.grid_factor("national", year)
    assert choice.factor.co2_t_per_mwh == pytest.approx(value, rel=1e-12)
    assert choice.factor.data_year == data_year
    assert choice.flag == flag
    assert choice.factor.grid_code == "national"
    assert choice.factor.lineage.lineage_id == f"grid_electricity@2026.1:national:{data_year}"


@pytest.mark.parametrize(
    ("grid", "year", "value", "flag"),
    [
        ("east_china", 2021, 0.5992, None),
        ("east_china", 2022, 0.5617, None),
        ("east_china", 2023, 0.5500, None),
        ("zhejiang", 2021, 0.5422, None),
        ("zhejiang", 2022, 0.5153, None),
        # No 2023 Zhejiang factor is published: the 2022 one applies, flagged.
        ("zhejiang", 2023, 0.5153, "latest_published:2022"),
        ("national_residual", 2022, 0.5856, None),
        ("national_residual", 2023, 0.6096, None),
        ("national_fossil", 2022, 0.8325, None),
    ],
)
def test_regional_and_provincial_factors(
    book: FactorBook, grid: str, year: int, value: float, flag: str | None
) -> None:
    choice = book.grid_factor(grid, year)
    assert choice.factor.co2_t_per_mwh == pytest.approx(value, rel=1e-12)
    assert choice.flag == flag


@pytest.mark.parametrize(
    ("year", "value", "flag"),
    [
        (2019, 0.6101, None),
        (2020, 0.6101, "nearest_earlier:2019"),
        (2021, 0.5810, None),
        (2022, 0.5810, "nearest_earlier:2021"),
        (2023, 0.5703, None),
        (2024, 0.5703, "latest_published:2023"),
        (2018, 0.6101, "earliest_published:2019"),
    ],
)
def test_national_ets_series(book: FactorBook, year: int, value: float, flag: str | None) -> None:
    choice = book.grid_factor("national_ets", year)
    assert choice.factor.co2_t_per_mwh == pytest.approx(value, rel=1e-12)
    assert choice.flag == flag
    assert choice.factor.method == "ets"


def test_ets_and_statistical_series_differ_for_2022_data(book: FactorBook) -> None:
    # china-reference.md §3.1: 0.5703 (ETS, data year 2022, applied from 2023) and 0.5366
    # (MEE+NBS 2022) are different series and must not be interchanged.
    assert book.grid_factor("national", 2022).factor.co2_t_per_mwh == pytest.approx(0.5366)
    assert book.grid_factor("national_ets", 2022).factor.co2_t_per_mwh != pytest.approx(0.5366)


def test_unknown_grid_raises(book: FactorBook) -> None:
    with pytest.raises(FactorNotFound) as caught:
        book.grid_factor("atlantis", 2022)
    message = str(caught.value)
    assert "atlantis" in message
    assert "national" in message and "zhejiang" in message


@pytest.mark.parametrize(
    ("year", "value", "flag"),
    [
        (2019, 0.9, None),
        (2020, 0.9, "nearest_earlier:2019"),
        (2021, 0.8, None),
        (2022, 0.8, "nearest_earlier:2021"),
        (2023, 0.7, None),
        (2030, 0.7, "latest_published:2023"),
        (2000, 0.9, "earliest_published:2019"),
    ],
)
def test_grid_selection_rules_on_a_hand_made_series(year: int, value: float, flag: str | None) -> None:
    series = (_grid("g", 2019, 0.9), _grid("g", 2021, 0.8), _grid("g", 2023, 0.7))
    choice = _small_book({"g": series}).grid_factor("g", year)
    assert (choice.factor.co2_t_per_mwh, choice.flag) == (value, flag)


def test_empty_series_raises() -> None:
    with pytest.raises(FactorNotFound):
        _small_book({"g": ()}).grid_factor("g", 2022)


def test_lineage_id() -> None:
    lineage = Lineage("fuel_cn_gbt32151", "2024.1", "diesel", "GB/T 32151.22-2024", "VERIFIED")
    assert lineage.lineage_id == "fuel_cn_gbt32151@2024.1:diesel"


def test_names_map_to_codes() -> None:
    small = _small_book({})
    fuels = small.fuel_by_name()
    assert fuels == {"diesel": "diesel", "柴油": "diesel", "0号柴油": "diesel"}
    assert small.process_by_name() == {
        "cement_clinker": "cement_clinker",
        "水泥熟料": "cement_clinker",
        "cement clinker": "cement_clinker",
    }


def test_shipped_names_resolve(book: FactorBook) -> None:
    fuels = book.fuel_by_name()
    assert fuels["柴油"] == "diesel"
    assert fuels["0号柴油"] == "diesel"
    assert fuels["原煤"] == "raw_coal"
    assert fuels["天然气"] == "natural_gas"
    assert fuels["lng"] == "lng"
    processes = book.process_by_name()
    assert processes["水泥熟料"] == "cement_clinker"
    assert processes["石灰石"] == "limestone"
    assert processes["纯碱"] == "soda_ash"
