import pytest

from citycarbon.domain.errors import ValidationFailed
from citycarbon.ingest import headers
from citycarbon.ingest.headers import detect_kind, map_headers, normalise_header, resolve_headers

ACTIVITY_ZH = [
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
ACTIVITY_EN = [
    "uscc",
    "site",
    "period",
    "category",
    "item",
    "quantity",
    "unit",
    "certificate",
    "note",
]
ORGANISATION_ZH = [
    "统一社会信用代码",
    "名称",
    "主体类型",
    "行业代码",
    "行政区划代码",
    "用地面积（亩）",
]
PRODUCTION_ZH = ["统一社会信用代码", "期间", "工业总产值（万元）", "工业增加值（万元）"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Quantity ", "quantity"),
        ("用地面积（亩）", "用地面积(亩)"),
        ("\u3000数量\u3000", "数量"),
        ("ＵＳＣＣ", "uscc"),
    ],
)
def test_normalise_header_folds_case_space_and_width(raw: str, expected: str) -> None:
    assert normalise_header(raw) == expected


def test_chinese_activity_headers_map_to_canonical_names() -> None:
    mapping, problems = map_headers("activity", ACTIVITY_ZH)
    assert problems == []
    assert mapping == dict(zip(ACTIVITY_EN, ACTIVITY_ZH, strict=True))


def test_english_headers_match_ignoring_case_and_surrounding_space() -> None:
    mapping, problems = map_headers("activity", [" USCC", "Period ", "CATEGORY", "Item", "quantity", "Unit"])
    assert problems == []
    assert mapping["uscc"] == " USCC"
    assert mapping["period"] == "Period "
    assert set(mapping) == {"uscc", "period", "category", "item", "quantity", "unit"}


def test_listed_variants_are_accepted() -> None:
    mapping, problems = map_headers("activity", ["信用代码", "年月", "类别", "能源品种", "数量", "计量单位"])
    assert problems == []
    assert mapping == {
        "uscc": "信用代码",
        "period": "年月",
        "category": "类别",
        "item": "能源品种",
        "quantity": "数量",
        "unit": "计量单位",
    }
    mapping, problems = map_headers("production", ["credit_code", "统计期"])
    assert (mapping, problems) == ({"uscc": "credit_code", "period": "统计期"}, [])


def test_half_width_brackets_match_full_width_vocabulary() -> None:
    mapping, problems = map_headers(
        "organisation", ["社会信用代码", "企业名称", "行业代码", "行政区划代码", "用地面积(亩)"]
    )
    assert problems == []
    assert mapping["area_mu"] == "用地面积(亩)"


def test_unit_suffix_in_header_is_rejected_with_the_expected_name() -> None:
    mapping, problems = map_headers("activity", ["uscc", "period", "category", "item", "数量(吨)", "unit"])
    assert "quantity" not in mapping
    assert [p.message for p in problems] == [headers.MSG_UNIT_IN_HEADER, headers.MSG_MISSING_COLUMN]
    unit_problem, missing = problems
    assert (unit_problem.row, unit_problem.column) == (1, "数量(吨)")
    assert unit_problem.params == {"column": "数量(吨)", "expected": "数量 (quantity)"}
    assert missing.params == {"column": "数量 (quantity)"}
    assert missing.row == 1


def test_unknown_column_lists_allowed_names() -> None:
    _, problems = map_headers("production", ["uscc", "period", "产值"])
    [problem] = problems
    assert problem.message == headers.MSG_UNKNOWN_COLUMN
    assert (problem.row, problem.column) == (1, "产值")
    assert problem.params["allowed"] == (
        "统一社会信用代码 (uscc), 期间 (period), 工业总产值（万元） (output_value_10k_cny), "
        "工业增加值（万元） (value_added_10k_cny), 产品代码 (product_code), "
        "产品产量 (product_output), 产品单位 (product_unit)"
    )


def test_two_headers_for_one_column_are_a_problem() -> None:
    mapping, problems = map_headers("activity", [*ACTIVITY_ZH, "quantity"])
    [problem] = problems
    assert problem.message == headers.MSG_DUPLICATE_COLUMN
    assert problem.column == "quantity"
    assert problem.params == {"first": "数量", "column": "quantity", "canonical": "quantity"}
    assert mapping["quantity"] == "数量"


def test_missing_required_columns_are_each_reported() -> None:
    _, problems = map_headers("organisation", ["uscc", "name"])
    assert [p.params["column"] for p in problems] == [
        "行业代码 (industry_code)",
        "行政区划代码 (region_code)",
    ]
    assert {p.message for p in problems} == {headers.MSG_MISSING_COLUMN}


def test_blank_headers_are_left_to_the_reader() -> None:
    mapping, problems = map_headers("production", ["uscc", "", "  ", "period"])
    assert (mapping, problems) == ({"uscc": "uscc", "period": "period"}, [])


@pytest.mark.parametrize(
    ("header_row", "kind"),
    [
        (ACTIVITY_ZH, "activity"),
        (ACTIVITY_EN[:7], "activity"),
        (ORGANISATION_ZH, "organisation"),
        (PRODUCTION_ZH, "production"),
        (["uscc", "period"], "production"),
        # one mistyped header still points at the template the user meant
        (["uscc", "period", "category", "item", "数两", "unit"], "activity"),
        (["foo", "bar"], None),
        ([], None),
    ],
)
def test_detect_kind(header_row: list[str], kind: str | None) -> None:
    assert detect_kind(header_row) == kind


def test_resolve_headers_detects_kind_and_mapping() -> None:
    kind, mapping = resolve_headers(PRODUCTION_ZH, None)
    assert kind == "production"
    assert mapping["output_value_10k_cny"] == "工业总产值（万元）"


@pytest.mark.parametrize(
    ("header_row", "kind", "message"),
    [
        (["", " "], None, headers.MSG_NO_HEADER),
        (["2024年能源消费台账", "", ""], None, headers.MSG_UNKNOWN_KIND),
        (ACTIVITY_ZH, "production", headers.MSG_UNKNOWN_COLUMN),
    ],
)
def test_resolve_headers_stops_on_problems(header_row: list[str], kind: str | None, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        resolve_headers(header_row, kind)  # type: ignore[arg-type]
    assert caught.value.problems[0].message == message
    assert caught.value.problems[0].row == 1
