import codecs
import io
from pathlib import Path

import openpyxl
import pytest

from citycarbon.ingest import KINDS, read_table
from citycarbon.ingest.templates import examples, template_bytes, write_template

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(code: str) -> str:
    """GB 32100-2015 check character, computed independently of the domain code."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(code[:17], WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def test_chinese_csv_has_bom_and_chinese_header() -> None:
    data = template_bytes("activity", "zh_CN", "csv")
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "统一社会信用代码,厂区/站点,期间,类别,品种,数量,单位,绿证编号,备注"
    assert lines[1] == "91330100716105852F,一号厂区,2024-01,燃料,原煤,1200,t,,"


def test_english_csv_has_canonical_header_and_no_bom() -> None:
    data = template_bytes("organisation", "en", "csv")
    assert not data.startswith(codecs.BOM_UTF8)
    header = data.decode("utf-8").split("\r\n")[0]
    assert header == "uscc,name,kind,industry_code,region_code,area_mu,legacy_uscc_reason"


def test_activity_examples_cover_coal_gas_electricity_and_steam() -> None:
    zh = [(row["item"], row["unit"]) for row in examples("activity", "zh_CN")]
    assert zh == [("原煤", "t"), ("天然气", "万立方米"), ("电网电力", "万千瓦时"), ("蒸汽", "GJ")]
    en = [(row["category"], row["unit"]) for row in examples("activity", "en")]
    assert en == [("fuel", "t"), ("fuel", "m^3"), ("electricity", "MWh"), ("heat", "GJ")]


@pytest.mark.parametrize("kind", KINDS)
def test_example_credit_codes_are_valid(kind: str) -> None:
    for locale in ("zh_CN", "en"):
        for row in examples(kind, locale):  # type: ignore[arg-type]
            assert row["uscc"][17] == uscc_check_character(row["uscc"])


def test_chinese_xlsx_has_data_and_guide_sheets() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes("activity", "zh_CN", "xlsx")))
    assert workbook.sheetnames == ["数据", "说明"]
    data, guide = workbook.worksheets
    assert [cell.value for cell in data[1]] == [
        "统一社会信用代码",
        "厂区/站点",
        "期间",
        "类别",
        "品种",
        "数量",
        "单位",
        "绿证编号",
        "备注",
    ]
    assert [cell.value for cell in data[2]][:7] == [
        "91330100716105852F",
        "一号厂区",
        "2024-01",
        "燃料",
        "原煤",
        1200,
        "t",
    ]
    assert data["C2"].number_format == "@"
    rows = {row[0]: row for row in guide.iter_rows(min_row=1, values_only=True)}
    assert rows["列名"] == ("列名", "是否必填", "可用的其他列名", "说明与可选值")
    assert rows["类别"][1] == "必填"
    assert rows["类别"][3] == "燃料、电力、热力、过程之一（也可填 fuel、electricity、heat、process）"
    assert rows["备注"][1] == "选填"
    assert rows["期间"][2] == "period, 期间, 年月, 统计期"


def test_english_xlsx_guide_lists_allowed_values() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes("organisation", "en", "xlsx")))
    assert workbook.sheetnames == ["data", "Guide"]
    rows = {row[0]: row for row in workbook["Guide"].iter_rows(values_only=True)}
    assert rows["kind"][1:] == (
        "optional",
        "kind, 主体类型",
        "One of enterprise, individual_business, park (or 企业, 个体工商户, 园区)",
    )
    assert rows["uscc"][1] == "required"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_template_reads_back_as_its_examples(kind: str, locale: str, fmt: str) -> None:
    table = read_table(template_bytes(kind, locale, fmt), file_name=f"template.{fmt}")  # type: ignore[arg-type]
    assert table.kind == kind
    rows = [
        {k: v for k, v in row.items() if v is not None} for row in table.frame.drop("row_number").to_dicts()
    ]
    assert rows == [dict(row) for row in examples(kind, locale)]  # type: ignore[arg-type]
    assert table.frame["row_number"].to_list() == list(range(2, len(rows) + 2))


def test_round_trip_keeps_hand_written_values() -> None:
    table = read_table(template_bytes("activity", "zh_CN", "xlsx"), file_name="t.xlsx")
    assert table.frame["quantity"].to_list() == ["1200", "12.5", "350.4", "860"]
    assert table.frame["period"].to_list() == ["2024-01"] * 4
    table = read_table(template_bytes("production", "en", "xlsx"), file_name="t.xlsx")
    assert table.frame["value_added_10k_cny"].to_list() == ["402.1", "365.75"]


def test_write_template_to_path_and_stream(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    write_template("production", "zh_CN", "csv", path)
    stream = io.BytesIO()
    write_template("production", "zh_CN", "csv", stream)
    assert path.read_bytes() == stream.getvalue() == template_bytes("production", "zh_CN", "csv")


def test_locale_tags_are_normalised() -> None:
    assert template_bytes("activity", "en-US", "csv") == template_bytes("activity", "en", "csv")


@pytest.mark.parametrize(("kind", "fmt"), [("emissions", "csv"), ("activity", "ods")])
def test_unknown_kind_or_format(kind: str, fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        template_bytes(kind, "en", fmt)  # type: ignore[arg-type]
