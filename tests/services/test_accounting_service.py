"""Accounting files without a database: encodings, Chinese headers, XLSX, rejections, documents."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.refdata.loader import data_root
from citycarbon.services import accounting as service
from citycarbon.services.accounting import FilesRejected, account_files, result_documents

REL = 1e-9
EF_DIESEL = 42.652 * 0.0202 * 0.98 * 44 / 12  # set A
EF_DIESEL_B = 43.33 * 0.0202 * 0.98 * 44 / 12  # set B
EF_RAW_COAL = 20.908 * 0.02637 * 0.94 * 44 / 12
EF_NATURAL_GAS = 389.31 * 0.0153 * 0.99 * 44 / 12  # per 10^4 Nm3
GRID_2023 = 0.5306  # national average, latest published (applies to 2024 data)
RESIDUAL_2022 = 0.5856
HEAT = 0.11
TCE_DIESEL, TCE_RAW_COAL, TCE_ELECTRICITY, TCE_HEAT = 1.4571, 0.7143, 0.1229, 0.03412
TCE_NATURAL_GAS = 1.2143 * 1e4 / 1e3  # 1.2143 kgce/m3 → tce per 10^4 m3

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check(first17: str) -> str:
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, weights, strict=True))
    return first17 + ALPHABET[(31 - total % 31) % 31]


U1 = with_check("91331002MA2AB3CD1")
U2 = with_check("91331003MA2XY7Q0K")

ENGLISH = "uscc,site,period,category,item,quantity,unit,certificate,note\n"
BASIC = ENGLISH + (
    f'{U1},,2024-01,fuel,柴油,10,t,,\n{U1},,2024-01,electricity,电力,"1,000",kWh,,first meter\n'
)
CHINESE_HEADER = "统一社会信用代码,期间,类别,品种,数量,单位,绿证编号\n"
CHINESE = CHINESE_HEADER + (
    f"{U2},2022年3月,燃料,原煤,100,吨,\n"
    f"{U2},2022年3月,电力,绿电,50,MWh,GEC-2022-001\n"
    f"{U2},2022年3月,电力,电力,200,MWh,\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def totals(result: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(t["uscc"], t["period"]): t for t in result.totals.iter_rows(named=True)}


def assert_basic(result: Any) -> None:
    total = totals(result)[(U1, "2024-01")]
    assert total["scope1_tco2e"] == pytest.approx(10 * EF_DIESEL, rel=REL)
    assert total["scope2_tco2e"] == pytest.approx(1.0 * GRID_2023, rel=REL)
    assert total["total_tco2e"] == pytest.approx(10 * EF_DIESEL + GRID_2023, rel=REL)
    assert total["energy_tce"] == pytest.approx(10 * TCE_DIESEL + 1.0 * TCE_ELECTRICITY, rel=REL)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_utf8_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "activity.csv", BASIC, encoding)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert_basic(account_files([path]))


def test_csv_gb18030_with_chinese_headers(tmp_path: Path) -> None:
    path = write(tmp_path / "台账.csv", CHINESE, "gb18030")
    result = account_files([path])
    total = totals(result)[(U2, "2022-03")]
    # green certificates: market-based, grid at the 2022 residual factor, green at zero
    assert total["scope1_tco2e"] == pytest.approx(100 * EF_RAW_COAL, rel=REL)
    assert total["scope2_tco2e"] == pytest.approx(200 * RESIDUAL_2022, rel=REL)
    assert total["scope2_location_tco2e"] == pytest.approx(250 * 0.5366, rel=REL)
    assert total["energy_tce"] == pytest.approx(100 * TCE_RAW_COAL + 250 * TCE_ELECTRICITY, rel=REL)


def test_xlsx_with_chinese_headers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["统一社会信用代码", "厂区/站点", "期间", "类别", "品种", "数量", "单位", "绿证编号", "备注"]
    )
    sheet.append([U1, "一厂", dt.datetime(2023, 6, 1), "热力", "蒸汽", 1200.5, "百万千焦", None, None])
    sheet.append([U1, "一厂", "2023-06", "燃料", "天然气", 15000, "m3", None, "管道气"])
    sheet.append([U1, "二厂", "2023年6月", "燃料", "天然气", "2", "万立方米", None, None])
    path = tmp_path / "activity.xlsx"
    workbook.save(path)
    result = account_files([path])
    total = totals(result)[(U1, "2023-06")]
    assert total["scope1_tco2e"] == pytest.approx((1.5 + 2) * EF_NATURAL_GAS, rel=REL)
    assert total["scope2_tco2e"] == pytest.approx(1200.5 * HEAT, rel=REL)
    assert total["energy_tce"] == pytest.approx(3.5 * TCE_NATURAL_GAS + 1200.5 * TCE_HEAT, rel=REL)
    assert result.lines["row_number"].to_list() == [2, 3, 4]
    assert result.lines["file_name"].to_list() == ["activity.xlsx"] * 3


def test_several_files_are_accounted_together(tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", BASIC)
    second = write(tmp_path / "b.csv", CHINESE, "gb18030")
    result = account_files([first, second])
    assert set(totals(result)) == {(U1, "2024-01"), (U2, "2022-03")}
    assert_basic(result)


def test_same_row_in_two_files_is_rejected(tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", BASIC)
    second = write(tmp_path / "b.csv", ENGLISH + f"{U1},,2024年1月,燃料,diesel,3,t,,\n")
    with pytest.raises(FilesRejected) as caught:
        account_files([first, second])
    problems = caught.value.failures["(all files)"]
    assert {(p.params["file"], p.params["row"]) for p in problems} == {("a.csv", 2), ("b.csv", 2)}


def test_bad_file_is_rejected_with_problems_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be computed when a file is rejected")

    monkeypatch.setattr(service, "account", must_not_run)
    good = write(tmp_path / "good.csv", BASIC)
    bad = write(
        tmp_path / "bad.csv",
        ENGLISH
        + (
            f"{U1},,2024-02,fuel,柴油,-3,t,,\n"
            f"{U1},,2024-02,fuel,moonshine,1,t,,\n"
            f"{U1},,2024-02,fuel,原煤,1,kWh,,\n"
        ),
    )
    headers = write(
        tmp_path / "headers.csv", "uscc,period,category,item,amount,unit\n" + f"{U1},2024-01,fuel,柴油,1,t\n"
    )
    other = tmp_path / "notes.txt"
    other.write_text("hello", "utf-8")
    with pytest.raises(FilesRejected) as caught:
        account_files([good, bad, headers, other])
    failures = caught.value.failures
    assert set(failures) == {"bad.csv", "headers.csv", "notes.txt"}
    assert [(p.row, p.column) for p in failures["bad.csv"]] == [(2, "quantity"), (3, "item"), (4, "unit")]
    assert all(p.row == 1 for p in failures["headers.csv"])
    assert any("amount" in p.render() for p in failures["headers.csv"])
    assert len(failures["notes.txt"]) == 1
    assert caught.value.params["count"] == sum(len(p) for p in failures.values())


def test_file_whose_only_period_is_bad_is_rejected(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", ENGLISH + f"{U1},,2024-13,fuel,柴油,3,t,,\n")
    with pytest.raises(FilesRejected) as caught:
        account_files([bad])
    assert [(p.row, p.column) for p in caught.value.failures["bad.csv"]] == [(2, "period")]


def test_fuel_set_option(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", BASIC)
    result = account_files([path], AccountingOptions(fuel_set="fuel_cn_alt"))
    assert totals(result)[(U1, "2024-01")]["scope1_tco2e"] == pytest.approx(10 * EF_DIESEL_B, rel=REL)


def _shipped_source(dataset: str, version: str, file_name: str, **match: str) -> str:
    path = Path(str(data_root())) / dataset / version / file_name
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if all(record[k] == v for k, v in match.items()):
                return record["source"]
    raise AssertionError(f"no row {match} in {path}")


def test_result_documents(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", BASIC)
    options = AccountingOptions()
    documents = result_documents(account_files([path]), options)
    json.dumps(documents, ensure_ascii=False)  # the documented output is JSON
    assert len(documents) == 1
    document = documents[0]
    required = {"uscc", "period", "scope1_tco2e", "scope2_tco2e", "total_tco2e", "energy_tce", "lines"}
    assert required <= set(document)
    assert (document["uscc"], document["period"]) == (U1, "2024-01")
    assert document["scope1_tco2e"] == pytest.approx(10 * EF_DIESEL, rel=REL)
    assert document["scope2_tco2e"] == pytest.approx(GRID_2023, rel=REL)
    assert document["total_tco2e"] == pytest.approx(10 * EF_DIESEL + GRID_2023, rel=REL)
    assert document["energy_tce"] == pytest.approx(10 * TCE_DIESEL + TCE_ELECTRICITY, rel=REL)
    assert document["scope2_method"] == "location"
    assert document["options"] == {"grid": "national", "gwp": "AR5GWP100", "include_non_co2": False}
    assert document["factor_sets"]["fuel_cn_gbt32151"] == "2024.1"

    diesel, grid = document["lines"]
    assert (diesel["item"], diesel["quantity"], diesel["unit"]) == ("diesel", 10.0, "t")
    assert diesel["tco2e"] == pytest.approx(10 * EF_DIESEL, rel=REL)
    assert (diesel["row"], diesel["file"]) == (2, "a.csv")
    assert diesel["lineage"]["factor_set"] == "fuel_cn_gbt32151"
    assert diesel["lineage"]["factor_version"] == "2024.1"
    assert diesel["lineage"]["factor_key"] == "diesel"
    assert diesel["lineage"]["emission_factor"] == pytest.approx(EF_DIESEL, rel=REL)
    assert diesel["lineage"]["ncv_gj_per_unit"] == pytest.approx(42.652, rel=REL)
    assert diesel["lineage"]["source"] == _shipped_source(
        "fuel_cn_gbt32151", "2024.1", "parameters.csv", fuel_code="diesel", parameter="ncv"
    )

    assert (grid["item"], grid["quantity"], grid["unit"]) == ("grid", 1000.0, "kWh")
    assert grid["quantity_canonical"] == pytest.approx(1.0, rel=REL)
    assert grid["canonical_unit"] == "MWh"
    assert grid["tco2e"] == pytest.approx(GRID_2023, rel=REL)
    assert grid["lineage"]["factor_set"] == "grid_electricity"
    assert grid["lineage"]["factor_version"] == "2026.1"
    assert grid["lineage"]["factor_key"] == "national:2023"
    assert grid["lineage"]["scope2_method"] == "location"
    assert "latest_published:2023" in grid["lineage"]["flags"]
    assert grid["lineage"]["source"] == _shipped_source(
        "grid_electricity", "2026.1", "grid_factors.csv", grid_code="national", valid_from="2023"
    )


def test_result_documents_for_market_based_organisation(tmp_path: Path) -> None:
    path = write(tmp_path / "b.csv", CHINESE, "gb18030")
    options = AccountingOptions()
    (document,) = result_documents(account_files([path]), options)
    assert document["scope2_method"] == "market"
    assert document["scope2_location_tco2e"] == pytest.approx(250 * 0.5366, rel=REL)
    assert document["scope2_market_tco2e"] == pytest.approx(200 * RESIDUAL_2022, rel=REL)
    items = {line["item"]: line for line in document["lines"]}
    assert items["green"]["tco2e"] == 0
    assert items["green"]["lineage"]["factor_set"] == "zero_emission_certificate"
    assert items["grid"]["lineage"]["factor_key"] == "national_residual:2022"
    assert items["raw_coal"]["unit"] == "吨"
    assert items["raw_coal"]["quantity"] == 100.0
