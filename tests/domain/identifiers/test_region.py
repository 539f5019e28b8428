"""Region catalogue on a small hand-built tree (Zhejiang/Taizhou, Beijing, a retired code)."""

from __future__ import annotations

import string

import pytest

from citycarbon.domain.errors import InvalidCode, ReferenceDataError
from citycarbon.domain.identifiers import _tree, region
from citycarbon.domain.identifiers.region import Region, RegionCatalogue, level_for_code
from citycarbon.i18n import translator

# Taizhou's county-level divisions as listed in china-reference.md §8.
TAIZHOU = {
    "331002": "椒江区",
    "331003": "黄岩区",
    "331004": "路桥区",
    "331022": "三门县",
    "331023": "天台县",
    "331024": "仙居县",
    "331081": "温岭市",
    "331082": "临海市",
    "331083": "玉环市",
}


def rows() -> list[Region]:
    taizhou = [Region(code, name, "county", "331000") for code, name in TAIZHOU.items()]
    return [
        Region("330000", "浙江省", "province", None),
        Region("330100", "杭州市", "prefecture", "330000"),
        Region("330102", "上城区", "county", "330100"),
        Region("331000", "台州市", "prefecture", "330000"),
        *taizhou,
        Region("331021", "玉环县", "county", "331000", replaced_by="331083"),
        Region("110000", "北京市", "province", None),
        Region("110100", "市辖区", "prefecture", "110000"),
        Region("110101", "东城区", "county", "110100"),
    ]


@pytest.fixture
def catalogue() -> RegionCatalogue:
    return RegionCatalogue(reversed(rows()))


def rejection(catalogue: RegionCatalogue, code: str) -> InvalidCode:
    with pytest.raises(InvalidCode) as caught:
        catalogue.validate(code)
    return caught.value


def test_valid_code_returns_its_region(catalogue: RegionCatalogue) -> None:
    assert catalogue.validate(" 331002 ") == Region("331002", "椒江区", "county", "331000")
    assert len(catalogue) == 17


@pytest.mark.parametrize("code", ["33100", "3310020", "33100a", "", "33 100"])
def test_code_that_is_not_six_digits_is_rejected(catalogue: RegionCatalogue, code: str) -> None:
    error = rejection(catalogue, code)
    assert error.message == region.MSG_SHAPE
    assert error.params == {"code": code}


def test_unknown_code_is_rejected(catalogue: RegionCatalogue) -> None:
    error = rejection(catalogue, "339999")
    assert error.message == region.MSG_UNKNOWN
    assert error.params == {"code": "339999"}


def test_replaced_code_names_its_replacement(catalogue: RegionCatalogue) -> None:
    error = rejection(catalogue, "331021")
    assert error.message == region.MSG_REPLACED
    assert error.params == {
        "code": "331021",
        "name": "玉环县",
        "replacement": "331083",
        "replacement_name": "玉环市",
    }
    assert str(error) == "Region code 331021 (玉环县) is no longer in use; use 331083 (玉环市)"
    assert catalogue.resolve("331021").code == "331083"
    assert catalogue.resolve("331082").code == "331082"


def test_taizhou_has_exactly_its_nine_current_counties(catalogue: RegionCatalogue) -> None:
    children = catalogue.children("331000")
    assert {r.code: r.name for r in children} == TAIZHOU
    assert [r.code for r in children] == sorted(TAIZHOU)


def test_ancestors_run_county_prefecture_province(catalogue: RegionCatalogue) -> None:
    assert [r.code for r in catalogue.ancestors("331002")] == ["331000", "330000"]
    assert [r.code for r in catalogue.ancestors("110101")] == ["110100", "110000"]
    assert catalogue.ancestors("330000") == ()


def test_parent_and_level(catalogue: RegionCatalogue) -> None:
    parent = catalogue.parent("331082")
    assert parent is not None
    assert parent.name == "台州市"
    assert catalogue.parent("330000") is None
    assert [catalogue.level_of(c) for c in ("330000", "331000", "331002")] == [
        "province",
        "prefecture",
        "county",
    ]
    assert catalogue.level_of("331021") == "county"


def test_descendants_list_prefectures_before_their_counties(catalogue: RegionCatalogue) -> None:
    codes = [r.code for r in catalogue.descendants("330000")]
    assert codes == ["330100", "330102", "331000", *sorted(TAIZHOU)]
    assert "331021" not in codes
    assert catalogue.descendants("331002") == ()


def test_is_within_and_provinces(catalogue: RegionCatalogue) -> None:
    assert catalogue.is_within("331002", "330000")
    assert catalogue.is_within("331002", "331002")
    assert not catalogue.is_within("331002", "330100")
    assert not catalogue.is_within("330000", "331002")
    assert [r.code for r in catalogue.provinces()] == ["110000", "330000"]
    assert "331002" in catalogue
    assert "339999" not in catalogue
    assert catalogue.get("nonsense") is None


def test_navigation_rejects_unknown_codes(catalogue: RegionCatalogue) -> None:
    for call in (catalogue.parent, catalogue.ancestors, catalogue.children, catalogue.level_of):
        with pytest.raises(InvalidCode):
            call("339999")


@pytest.mark.parametrize(
    ("code", "level"), [("330000", "province"), ("331000", "prefecture"), ("331002", "county")]
)
def test_level_follows_the_zeros_of_the_code(code: str, level: str) -> None:
    assert level_for_code(code) == level


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (Region("331002", "重复", "county", "331000"), _tree.MSG_DUPLICATE),
        (Region("331005", "错层", "prefecture", "330000"), region.MSG_CODE_LEVEL),
        (Region("331005", "错父", "county", "330100"), region.MSG_CODE_PARENT),
        (Region("339901", "无父", "county", "339900"), _tree.MSG_MISSING_PARENT),
        (
            Region("331031", "悬空", "county", "331000", replaced_by="331021"),
            region.MSG_BAD_REPLACEMENT,
        ),
    ],
)
def test_inconsistent_rows_are_refused(bad_row: Region, message: str) -> None:
    with pytest.raises(ReferenceDataError) as caught:
        RegionCatalogue([*rows(), bad_row])
    assert caught.value.message == message


def test_tree_refuses_a_parent_on_the_wrong_level() -> None:
    skipping = [
        Region("330000", "浙江省", "province", None),
        Region("331002", "椒江区", "county", "330000"),
    ]
    with pytest.raises(ReferenceDataError) as caught:
        _tree.CodeTree(skipping, region.LEVELS)
    assert caught.value.message == _tree.MSG_LEVEL_MISMATCH
    with pytest.raises(ReferenceDataError) as caught:
        _tree.CodeTree([Region("331000", "台州市", "prefecture", None)], region.LEVELS)
    assert caught.value.message == _tree.MSG_NO_PARENT


MESSAGES = {
    f"{module.__name__}.{name}": value
    for module in (region, _tree)
    for name, value in vars(module).items()
    if name.startswith("MSG_")
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_has_chinese_translation_with_same_placeholders(name: str) -> None:
    text = MESSAGES[name]
    translated = translator("zh_CN")(text)
    assert translated != text

    def fields(template: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}

    assert fields(translated) == fields(text)
