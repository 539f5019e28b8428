"""Imports on SQLite and PostgreSQL: all-or-nothing, idempotent, conflicts, replace, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from citycarbon.domain.errors import ValidationFailed
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.reporting import build_report
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import (
    ActivityRecord,
    EmissionResult,
    ImportBatch,
    Organisation,
    ProductionRecord,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    """Append the GB 32100 check character, computed here from the standard's formula."""
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + ALPHABET[(31 - total % 31) % 31]


ORG_A = uscc("91331002MA2ABCDE1")
ORG_B = uscc("91331082MA2XYW001")
ORGS = f"""统一社会信用代码,名称,主体类型,行业代码,行政区划代码,用地面积（亩）
{ORG_A},台州测试机械有限公司,企业,C3411,331002,50
{ORG_B},台州测试化工有限公司,企业,C2614,331082,120
"""
ACTIVITY = f"""uscc,period,category,item,quantity,unit,certificate
{ORG_A},2023-01,fuel,diesel,10,t,
{ORG_A},2023-01,electricity,grid,100,MWh,
{ORG_B},2023-01,fuel,天然气,2,万立方米,
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(url: str, column: object, *where: object) -> int:
    with unit_of_work(url) as session:
        return int(session.execute(select(func.count(column)).where(*where)).scalar() or 0)


@pytest.fixture
def city(db_url: str, tmp_path: Path) -> str:
    import_file(db_url, write(tmp_path, "orgs.csv", ORGS, "gb18030"), file_name="orgs.csv")
    return db_url


def test_organisations_are_imported_from_gb18030_with_chinese_headers(city: str) -> None:
    with unit_of_work(city) as session:
        names = dict(session.execute(select(Organisation.uscc, Organisation.name)).all())
    assert names == {ORG_A: "台州测试机械有限公司", ORG_B: "台州测试化工有限公司"}


def test_activity_import_is_idempotent_and_results_match_hand_calculation(city: str, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", ACTIVITY)
    first = import_file(city, path, file_name="a.csv")
    assert (first.written, first.skipped) == (3, 0)
    again = import_file(city, path, file_name="a.csv")
    assert again.already_imported and again.written == 0
    # Same rows in a different file (new digest): skipped row by row.
    renamed = import_file(city, write(tmp_path, "b.csv", ACTIVITY + "\n"), file_name="b.csv")
    assert (renamed.written, renamed.skipped) == (0, 3)
    assert count(city, ActivityRecord.id) == 3
    recalculate(city, pairs=first.affected)
    report = build_report(city, ORG_A, 2023)
    diesel = 10 * 42.652 * 0.0202 * 0.98 * 44 / 12
    electricity = 100 * 0.5306  # MEE+NBS national average for data year 2023
    assert report["totals"]["scope1_tco2e"] == pytest.approx(diesel, rel=1e-12)
    assert report["totals"]["scope2_tco2e"] == pytest.approx(electricity, rel=1e-12)
    assert report["totals"]["energy_tce"] == pytest.approx(10 * 1.4571 + 100 * 0.1229, rel=1e-12)


def test_any_error_writes_nothing_and_reports_every_row(city: str, tmp_path: Path) -> None:
    bad = ACTIVITY + f"{ORG_A},2023-02,fuel,diesel,-1,t,\n{ORG_A},2023-13,fuel,coal?,1,kWh,\n"
    with pytest.raises(ValidationFailed) as caught:
        import_file(city, write(tmp_path, "bad.csv", bad), file_name="bad.csv")
    rows = {(p.row, p.column) for p in caught.value.problems}
    assert {(5, "quantity"), (6, "period"), (6, "item")} <= rows
    assert count(city, ActivityRecord.id) == 0
    assert count(city, ImportBatch.id, ImportBatch.kind == "activity") == 0


def test_unregistered_organisation_is_rejected(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_file(db_url, write(tmp_path, "a.csv", ACTIVITY), file_name="a.csv")
    assert [p.row for p in caught.value.problems] == [2, 3, 4]
    assert "not registered" in caught.value.problems[0].render()


def test_changed_quantity_conflicts_unless_replace_and_history_is_kept(city: str, tmp_path: Path) -> None:
    first = import_file(city, write(tmp_path, "a.csv", ACTIVITY), file_name="a.csv")
    recalculate(city, pairs=first.affected)
    changed = ACTIVITY.replace(",10,t,", ",12,t,")
    with pytest.raises(ValidationFailed) as caught:
        import_file(city, write(tmp_path, "c.csv", changed), file_name="c.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "quantity")]
    summary = import_file(city, write(tmp_path, "c.csv", changed), file_name="c.csv", replace=True)
    assert (summary.written, summary.replaced, summary.skipped) == (1, 1, 2)
    recalculate(city, pairs=summary.affected)
    assert count(city, ActivityRecord.id) == 4
    assert count(city, ActivityRecord.id, ActivityRecord.superseded_at.is_(None)) == 3
    assert count(city, EmissionResult.id, EmissionResult.superseded_at.is_not(None)) == 1
    report = build_report(city, ORG_A, 2023)
    assert report["totals"]["scope1_tco2e"] == pytest.approx(12 * 42.652 * 0.0202 * 0.98 * 44 / 12)


def test_dry_run_writes_nothing(city: str, tmp_path: Path) -> None:
    summary = import_file(city, write(tmp_path, "a.csv", ACTIVITY), file_name="a.csv", dry_run=True)
    assert summary.dry_run and summary.written == 3
    assert count(city, ActivityRecord.id) == 0
    assert count(city, ImportBatch.id, ImportBatch.kind == "activity") == 0


def test_recalculation_with_another_grid_keeps_old_results_as_history(city: str, tmp_path: Path) -> None:
    from citycarbon.engines.factor_table import AccountingOptions

    first = import_file(city, write(tmp_path, "a.csv", ACTIVITY), file_name="a.csv")
    recalculate(city, pairs=first.affected)
    recalculate(city, AccountingOptions(grid_code="east_china"))
    assert count(city, EmissionResult.id) == 4
    assert count(city, EmissionResult.id, EmissionResult.superseded_at.is_(None)) == 2
    report = build_report(city, ORG_A, 2023)
    assert report["totals"]["scope2_tco2e"] == pytest.approx(100 * 0.5500)
    assert report["periods"][0]["lines"][1]["lineage_id"] == "grid_electricity@2026.1:east_china:2023"


def test_production_import_and_conflict(city: str, tmp_path: Path) -> None:
    text = (
        "uscc,period,output_value_10k_cny,value_added_10k_cny\n"
        f"{ORG_A},2023-01,1200.5,300\n{ORG_B},2023-01,800,-20\n"
    )
    summary = import_file(city, write(tmp_path, "p.csv", text), file_name="p.csv")
    assert summary.written == 2
    with pytest.raises(ValidationFailed):
        import_file(city, write(tmp_path, "p2.csv", text.replace("1200.5", "1300")), file_name="p2.csv")
    assert count(city, ProductionRecord.id) == 2


def test_organisation_with_bad_codes_reports_reasons(db_url: str, tmp_path: Path) -> None:
    bad_check = ORG_A[:-1] + ("0" if ORG_A[-1] != "0" else "1")
    text = f"uscc,name,industry_code,region_code\n{bad_check},甲,C3411,331002\n{ORG_B},乙,Z9999,339999\n"
    with pytest.raises(ValidationFailed) as caught:
        import_file(db_url, write(tmp_path, "o.csv", text), file_name="o.csv")
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (2, "uscc"),
        (3, "industry_code"),
        (3, "region_code"),
    }
    legacy = (
        f"uscc,name,industry_code,region_code,legacy_uscc_reason\n{bad_check},甲,C3411,331002,早期试点代码\n"
    )
    assert import_file(db_url, write(tmp_path, "o2.csv", legacy), file_name="o2.csv").written == 1


def test_named_sites_are_registered_once(city: str, tmp_path: Path) -> None:
    from citycarbon.store.tables import Site

    text = f"uscc,site,period,category,item,quantity,unit\n{ORG_A},厂区一,2023-01,fuel,diesel,1,t\n"
    text += f"{ORG_A},厂区一,2023-02,fuel,diesel,1,t\n{ORG_A},,2023-02,fuel,diesel,1,t\n"
    import_file(city, write(tmp_path, "s.csv", text), file_name="s.csv")
    with unit_of_work(city) as session:
        sites = session.execute(select(Site.site_code)).scalars().all()
    assert sites == ["厂区一"]
    assert count(city, ActivityRecord.id) == 3


def test_large_import_uses_the_bulk_path_and_keeps_every_row(city: str, tmp_path: Path) -> None:
    """Above the COPY threshold PostgreSQL streams rows; both backends must store the same data."""
    lines = ["uscc,site,period,category,item,quantity,unit"]
    lines += [f"{ORG_A},s{n},{2000 + n // 600}-{n % 12 + 1:02d},fuel,diesel,{n + 1},t" for n in range(1800)]
    summary = import_file(city, write(tmp_path, "big.csv", "\n".join(lines) + "\n"), file_name="big.csv")
    assert summary.written == 1800
    recalculate(city, pairs=summary.affected)
    with unit_of_work(city) as session:
        total = session.execute(select(func.sum(ActivityRecord.quantity))).scalar()
        missing_timestamps = session.execute(
            select(func.count(ActivityRecord.id)).where(ActivityRecord.created_at.is_(None))
        ).scalar()
        emissions = session.execute(select(func.sum(EmissionResult.scope1_tco2e))).scalar()
    assert total == pytest.approx(1800 * 1801 / 2)
    assert missing_timestamps == 0
    assert emissions == pytest.approx(1800 * 1801 / 2 * 42.652 * 0.0202 * 0.98 * 44 / 12, rel=1e-9)
