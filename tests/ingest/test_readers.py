import codecs
import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.ingest import headers, readers
from citycarbon.ingest.readers import cell_text, read_table

USCC = "91330100716105852F"
HEADER_ZH = ["统一社会信用代码", "期间", "类别", "品种", "数量", "单位"]
HEADER_EN = ["uscc", "period", "category", "item", "quantity", "unit"]
ROWS = [
    [USCC, "2024-01", "燃料", "原煤", "1200", "t"],
    [USCC, "2024-01", "电力", "电网电力", "350.4", "万千瓦时"],
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "".join(",".join(cells) + "\n" for cells in [header, *rows])


def xlsx_bytes(rows: list[list[object]], title: str = "Sheet1", extra_sheet: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    if extra_sheet is not None:
        workbook.worksheets[0].title = extra_sheet
        workbook.worksheets[0].append(["this", "is", "not", "data"])
        sheet = workbook.create_sheet(title)
    else:
        sheet = workbook.worksheets[0]
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(data: bytes, file_name: str = "upload.csv", kind: str | None = None) -> list[Problem]:
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, file_name=file_name, kind=kind)  # type: ignore[arg-type]
    return caught.value.problems


def only_problem(data: bytes, file_name: str = "upload.csv") -> Problem:
    [problem] = problems(data, file_name)
    return problem


# --- encodings -----------------------------------------------------------------------------


def test_utf8_csv_with_english_headers() -> None:
    table = read_table(csv_text(HEADER_EN, ROWS).encode(), file_name="energy.csv")
    assert table.kind == "activity"
    assert table.encoding == "utf-8"
    assert table.frame["row_number"].to_list() == [2, 3]
    assert table.frame["item"].to_list() == ["原煤", "电网电力"]
    assert table.frame["quantity"].to_list() == ["1200", "350.4"]
    assert table.header_mapping == {name: name for name in HEADER_EN}


def test_utf8_with_bom_and_chinese_headers() -> None:
    data = codecs.BOM_UTF8 + csv_text(HEADER_ZH, ROWS).encode()
    table = read_table(data, file_name="能源.CSV")
    assert table.encoding == "utf-8-sig"
    assert table.header_mapping["uscc"] == "统一社会信用代码"
    assert table.frame["unit"].to_list() == ["t", "万千瓦时"]


def test_gb18030_with_chinese_headers() -> None:
    table = read_table(csv_text(HEADER_ZH, ROWS).encode("gb18030"), file_name="energy.csv")
    assert table.encoding == "gb18030"
    assert table.header_mapping["quantity"] == "数量"
    assert table.frame.row(1, named=True) == {
        "row_number": 3,
        "uscc": USCC,
        "site": None,
        "period": "2024-01",
        "category": "电力",
        "item": "电网电力",
        "quantity": "350.4",
        "unit": "万千瓦时",
        "certificate": None,
        "note": None,
    }


def test_reads_from_a_path_and_records_the_file_digest(tmp_path: Path) -> None:
    data = csv_text(HEADER_EN, ROWS).encode()
    path = tmp_path / "energy.csv"
    path.write_bytes(data)
    table = read_table(path, file_name=path.name)
    assert table.file_sha256 == hashlib.sha256(data).hexdigest()
    assert table.file_name == "energy.csv"
    assert table.frame.height == 2


def test_frame_is_strings_stripped_with_nulls_and_true_row_numbers() -> None:
    text = (
        "uscc,period,category,item,quantity,unit,note\r\n"
        f" {USCC} ,2024-01,fuel,raw coal,\u30001200 ,t,   \r\n"
        "\r\n"
        ",,,,,,\r\n"
        f'{USCC},2024-02,fuel,"raw coal, washed",7,t,"two\nlines"\r\n'
    )
    table = read_table(text.encode(), file_name="a.csv")
    frame = table.frame
    assert frame.columns == ["row_number", *(c.name for c in headers.VOCABULARY["activity"])]
    assert set(frame.schema.values()) == {pl.Int64, pl.String}
    assert frame.schema["row_number"] == pl.Int64
    assert frame["row_number"].to_list() == [2, 5]
    assert frame["uscc"].to_list() == [USCC, USCC]
    assert frame["quantity"].to_list() == ["1200", "7"]
    assert frame["item"].to_list() == ["raw coal", "raw coal, washed"]
    assert frame["note"].to_list() == [None, "two\nlines"]
    assert frame["site"].to_list() == [None, None]


def test_utf8_file_with_a_stray_byte_is_not_misread_as_gb18030() -> None:
    prefix = csv_text(HEADER_ZH, ROWS).encode()
    # "cafés" in Windows-1252: as GB18030 the whole file would decode, into nonsense headers
    problem = only_problem(prefix + b"caf\xe9s,x\n")
    assert problem.message == readers.MSG_UNDECODABLE
    assert problem.params == {"offset": len(prefix) + 3, "line": 4}
    assert problem.row == 4


def test_bytes_valid_in_neither_encoding_give_offset_and_line() -> None:
    problem = only_problem(b"uscc,period\n\x80abc,2024-01\n")
    assert problem.message == readers.MSG_UNDECODABLE
    assert problem.params == {"offset": 12, "line": 2}


def test_offset_counts_the_bom() -> None:
    problem = only_problem(codecs.BOM_UTF8 + b"uscc,period\n\xff\n")
    assert problem.params == {"offset": 15, "line": 2}


# --- xlsx ----------------------------------------------------------------------------------


def test_xlsx_with_chinese_headers_renders_cells_as_shown_in_excel() -> None:
    data = xlsx_bytes(
        [
            [*HEADER_ZH, "备注"],
            [USCC, dt.datetime(2024, 1, 1), "燃料", "原煤", 1200.0, "t", dt.date(2024, 1, 15)],
            [USCC, "2024-02", "燃料", "天然气", 12.5, "万立方米", None],
            [USCC, "2024-03", "电力", "电网电力", 0.1 + 0.2, "万千瓦时", 3],
            [None, None, None, None, None, None, None],
            [],
        ],
        title="数据",
        extra_sheet="说明",
    )
    table = read_table(data, file_name="能源.xlsx")
    assert table.encoding == "xlsx"
    assert table.kind == "activity"
    assert table.frame["row_number"].to_list() == [2, 3, 4]
    assert table.frame["period"].to_list() == ["2024-01", "2024-02", "2024-03"]
    assert table.frame["quantity"].to_list() == ["1200", "12.5", "0.3"]
    assert table.frame["note"].to_list() == ["2024-01-15", None, "3"]
    assert table.header_mapping["note"] == "备注"


def test_xlsx_reads_the_first_sheet_without_a_data_sheet() -> None:
    table = read_table(xlsx_bytes([HEADER_EN, ROWS[0]]), file_name="a.xlsx")
    assert table.frame["item"].to_list() == ["原煤"]


def with_wrong_dimension(data: bytes) -> bytes:
    """Rewrite the sheet's dimension to A1:A1, as some report generators do."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', content)
            target.writestr(name, content)
    return out.getvalue()


def test_xlsx_with_a_wrong_dimension_still_reads_every_cell() -> None:
    table = read_table(with_wrong_dimension(xlsx_bytes([HEADER_EN, *ROWS])), file_name="a.xlsx")
    assert table.frame["unit"].to_list() == ["t", "万千瓦时"]


def test_truncated_xlsx_is_reported_as_damaged() -> None:
    data = xlsx_bytes([HEADER_EN, *ROWS])
    problem = only_problem(data[: len(data) // 2], "a.xlsx")
    assert problem.message == readers.MSG_DAMAGED_XLSX
    assert problem.render() == "The Excel file is damaged or incomplete; save it again and re-upload"


def test_xlsx_value_beyond_the_header_is_reported_with_its_column_letter() -> None:
    data = xlsx_bytes([HEADER_EN, [*ROWS[0], None, "lost?"], ROWS[1]])
    problem = only_problem(data, "a.xlsx")
    assert problem.message == readers.MSG_UNHEADED_VALUE
    assert problem.params == {"row": 2, "position": "H"}


def test_empty_workbook_is_an_empty_file() -> None:
    assert only_problem(xlsx_bytes([]), "a.xlsx").message == readers.MSG_EMPTY_FILE


@pytest.mark.parametrize(
    ("value", "period", "text"),
    [
        (None, False, None),
        (12.5, False, "12.5"),
        (1200.0, False, "1200"),
        (1e20, False, "100000000000000000000"),
        (1e-7, False, "0.0000001"),
        (-0.0, False, "0"),
        (0.1 + 0.2, False, "0.3"),
        (42, False, "42"),
        (True, False, "TRUE"),
        (dt.datetime(2024, 3, 1), True, "2024-03"),
        (dt.date(2024, 3, 9), True, "2024-03"),
        (dt.datetime(2024, 3, 1), False, "2024-03-01"),
        (dt.datetime(2024, 3, 1, 8, 30), False, "2024-03-01 08:30:00"),
        ("  x ", False, "  x "),
    ],
)
def test_cell_text(value: object, period: bool, text: str | None) -> None:
    assert cell_text(value, period=period) == text


# --- problems that stop reading ---------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", codecs.BOM_UTF8])
def test_empty_csv(data: bytes) -> None:
    problem = only_problem(data)
    assert (problem.message, problem.row) == (readers.MSG_EMPTY_FILE, None)


@pytest.mark.parametrize("tail", ["", "\n\n", ",,,,,\n  , ,,,,\n"])
def test_header_without_data_rows(tail: str) -> None:
    problem = only_problem((csv_text(HEADER_EN, []) + tail).encode())
    assert problem.message == readers.MSG_NO_DATA_ROWS


@pytest.mark.parametrize(("file_name", "extension"), [("a.xls", ".xls"), ("a.txt", ".txt"), ("data", "data")])
def test_unsupported_extension(file_name: str, extension: str) -> None:
    problem = only_problem(b"uscc\n1\n", file_name)
    assert problem.message == readers.MSG_UNSUPPORTED
    assert problem.params == {"extension": extension}


def test_workbook_uploaded_under_a_csv_name() -> None:
    assert only_problem(xlsx_bytes([HEADER_EN, ROWS[0]])).message == readers.MSG_EXCEL_AS_CSV


def test_header_problems_stop_reading_with_row_and_column() -> None:
    found = problems(csv_text(["uscc", "period", "category", "item", "数量(吨)", "unit"], ROWS).encode())
    assert [(p.message, p.row, p.column) for p in found] == [
        (headers.MSG_UNIT_IN_HEADER, 1, "数量(吨)"),
        (headers.MSG_MISSING_COLUMN, 1, None),
    ]


def test_title_row_above_the_header() -> None:
    text = "2024年1月能源消费台账,,,,,\n" + csv_text(HEADER_ZH, ROWS)
    assert only_problem(text.encode()).message == headers.MSG_UNKNOWN_KIND


def test_explicit_kind_is_enforced() -> None:
    found = problems(csv_text(HEADER_EN, ROWS).encode(), kind="production")
    assert [p.column for p in found] == ["category", "item", "quantity", "unit"]


def test_unknown_kind_argument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown import kind"):
        read_table(b"uscc\n", file_name="a.csv", kind="emissions")  # type: ignore[arg-type]


def test_rows_with_more_cells_than_headers_are_reported_by_row() -> None:
    rows = [ROWS[0], [*ROWS[1], "extra"], ROWS[0], [*ROWS[0], ""]]
    found = problems(csv_text(HEADER_EN, rows).encode())
    assert [(p.message, p.row) for p in found] == [
        (readers.MSG_RAGGED_ROW, 3),
        (readers.MSG_RAGGED_ROW, 5),
    ]
    assert found[0].params == {"row": 3, "count": 7, "expected": 6}


def test_many_ragged_rows_are_capped() -> None:
    found = problems(csv_text(HEADER_EN, [[*ROWS[0], "x"]] * 150).encode())
    assert len(found) == 101
    assert found[99].row == 101
    assert (found[100].message, found[100].params) == (readers.MSG_MORE_ROWS, {"count": 50})


def test_broken_quotes_are_reported_by_row() -> None:
    text = csv_text(HEADER_EN, [ROWS[0], [USCC, "2024-01", "fuel", '"coal"x', "1", "t"]])
    problem = only_problem(text.encode())
    assert (problem.message, problem.row) == (readers.MSG_BAD_QUOTES, 3)


def test_value_under_a_blank_header_is_reported() -> None:
    rows = [[*ROWS[0], ""], [*ROWS[1], "kept?"]]
    problem = only_problem(csv_text([*HEADER_EN, ""], rows).encode())
    assert problem.message == readers.MSG_UNHEADED_VALUE
    assert problem.params == {"row": 3, "position": "G"}


def test_many_values_under_a_blank_header_are_capped() -> None:
    found = problems(csv_text([*HEADER_EN, ""], [[*ROWS[0], "x"]] * 120).encode())
    assert [p.row for p in found[:2]] == [2, 3]
    assert len(found) == 101
    assert found[100].params == {"count": 20}


def test_blank_header_column_without_values_is_harmless() -> None:
    table = read_table(csv_text([*HEADER_EN, ""], [[*r, ""] for r in ROWS]).encode(), file_name="a.csv")
    assert table.frame.height == 2


@pytest.mark.parametrize(
    "second_row",
    [
        ["", "", "", "", "", "吨"],
        ["required", "YYYY-MM", "fuel/electricity/heat/process", "", "number", ""],
        HEADER_ZH,
    ],
)
def test_second_header_row_is_rejected(second_row: list[str]) -> None:
    problem = only_problem(csv_text(HEADER_EN, [second_row, *ROWS]).encode())
    assert (problem.message, problem.row) == (readers.MSG_SECOND_HEADER, 2)


def test_problems_render_in_chinese() -> None:
    from citycarbon.i18n import translator

    problem = only_problem(csv_text(HEADER_EN, [[*ROWS[0], "x"]]).encode())
    assert problem.render(translator("zh_CN")) == "第 2 行有 7 个单元格，但表头只有 6 列"
