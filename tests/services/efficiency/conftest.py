"""A small rated city for the rating and certificate tests: the hand-worked case.

Five enterprises of class C3411 in Jiaojiang report two months of 2024. Electricity is the
only emission source, so every firm's emissions are f × MWh with the same national factor f;
K does not depend on f, and L does as f = 0.5306 tCO2/MWh (MEE+NBS 2023, the latest published).

| firm | MWh (Jan + Feb) | value added (10^4 CNY) | L / f | K = L / benchmark | grade |
| A | 500 + 500 | 500 + 500 | 1 | 1 / (4000/1750) = 0.4375 | 1 |
| B | 600 + 400 | 250 + 250 | 2 | 0.875 | 3 |
| C | 1000 + 1000 | 125 + 125 | 8 | 3.5 | 5 |
| D | 100 | missing | — | value_added_missing | — |
| E | 100 | 10, output 0 | — | output_not_positive | — |
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citycarbon.domain.efficiency.settings import BenchmarkSettings
from citycarbon.refdata.grading import load_grading_scheme, load_watch_rules
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.rating import RatingOptions

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FACTOR = 0.5306  # tCO2/MWh, national MEE+NBS 2023


def uscc(first17: str) -> str:
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + ALPHABET[(31 - total % 31) % 31]


A, B, C, D, E, F = (uscc(f"91331002MA2RATE{i}{i}") for i in range(1, 7))
ORGANISATIONS = f"""uscc,name,kind,industry_code,region_code,area_mu
{A},台州甲机械有限公司,enterprise,C3411,331002,50
{B},台州乙机械有限公司,enterprise,C3411,331002,20
{C},台州丙机械有限公司,enterprise,3411,331002,10
{D},台州丁机械有限公司,enterprise,C3411,331002,5
{E},台州戊机械有限公司,enterprise,C3411,331002,5
{F},台州己五金店,individual_business,C3411,331002,1
"""
PRODUCTION = f"""uscc,period,output_value_10k_cny,value_added_10k_cny
{A},2024-01,2000,500
{A},2024-02,2000,500
{B},2024-01,1000,250
{B},2024-02,1000,250
{C},2024-01,500,125
{C},2024-02,500,125
{D},2024-01,100,
{E},2024-01,0,10
{F},2024-01,10,5
"""
ACTIVITY = f"""uscc,period,category,item,quantity,unit
{A},2024-01,electricity,grid,500,MWh
{A},2024-02,electricity,grid,500,MWh
{B},2024-01,electricity,grid,600,MWh
{B},2024-02,electricity,grid,400,MWh
{C},2024-01,electricity,grid,100,万千瓦时
{C},2024-02,electricity,grid,1000,MWh
{D},2024-01,electricity,grid,100,MWh
{E},2024-01,electricity,grid,100,MWh
{F},2024-01,electricity,grid,1,MWh
"""


def load_city(url: str, folder: Path) -> None:
    for name, text in (
        ("orgs.csv", ORGANISATIONS),
        ("production.csv", PRODUCTION),
        ("activity.csv", ACTIVITY),
    ):
        path = folder / name
        path.write_text(text, "utf-8")
        import_file(url, path, file_name=name)
    recalculate(url)


def options(scheme: str = "huzhou") -> RatingOptions:
    return RatingOptions(
        scheme=load_grading_scheme(scheme), benchmark=BenchmarkSettings(min_peers=3), rules=load_watch_rules()
    )


@pytest.fixture
def city(db_url: str, tmp_path: Path) -> str:
    load_city(db_url, tmp_path)
    return db_url
