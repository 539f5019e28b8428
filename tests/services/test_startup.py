"""Start-up validates reference data and recalculates when factor versions change."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, update

from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.startup import prepare_platform
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import CalculationRun, EmissionResult

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_startup_recalculates_only_when_factor_versions_changed(db_url: str) -> None:
    for name in ("organisations.csv", "activity.csv"):
        import_file(db_url, EXAMPLES / name, file_name=name)
    recalculate(db_url)
    assert prepare_platform(db_url).recalculated is None
    # Pretend the last run used an older fuel-parameter version.
    with unit_of_work(db_url) as session:
        run = session.execute(select(CalculationRun).order_by(CalculationRun.id.desc())).scalars().first()
        assert run is not None
        versions = json.loads(run.factor_versions) | {"fuel_cn_gbt32151": "2015.1"}
        session.execute(
            update(CalculationRun)
            .where(CalculationRun.id == run.id)
            .values(factor_versions=json.dumps(versions))
        )
    report = prepare_platform(db_url)
    assert report.recalculated is not None and report.recalculated.results == 2
    with unit_of_work(db_url) as session:
        total = session.execute(select(func.count(EmissionResult.id))).scalar()
        current = session.execute(
            select(func.count(EmissionResult.id)).where(EmissionResult.superseded_at.is_(None))
        ).scalar()
    assert (total, current) == (4, 2)
