"""Two enterprises from the example files, with one air and one water outlet each, on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from citycarbon.services.importing import import_file
from citycarbon.services.monitoring_import import import_monitoring_file
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
USCC_A = "91330100716105852F"
USCC_B = "914403001922038216"
OUTLETS = (
    "统一社会信用代码,厂区代码,排放口编号,排放口名称,排放类型,数据间隔（分钟）,排放限值\n"
    f"{USCC_A},S1,DA001,1#排气筒,废气,60,gb16297_new_source\n"
    f"{USCC_A},S1,DW001,废水总排口,废水,1440,gb8978_grade1\n"
    f"{USCC_B},K1,DA001,窑尾,air,60,gb13223_coal_boiler_new\n"
)


@dataclass(frozen=True)
class MonitoredCity:
    url: str
    org_a: int
    org_b: int


@pytest.fixture
def monitored(db_url: str) -> MonitoredCity:
    import_file(db_url, EXAMPLES / "organisations.csv", file_name="organisations.csv")
    import_monitoring_file(db_url, OUTLETS.encode("gb18030"), file_name="outlets.csv", kind="outlets")
    with unit_of_work(db_url) as session:
        ids = dict(session.execute(select(Organisation.uscc, Organisation.id)).all())
    return MonitoredCity(db_url, ids[USCC_A], ids[USCC_B])
