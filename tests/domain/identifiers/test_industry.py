"""Industry catalogue (GB/T 4754) on a small hand-built tree: spellings, reasons, levels."""

from __future__ import annotations

import string

import pytest

from citycarbon.domain.errors import InvalidCode, ReferenceDataError
from citycarbon.domain.identifiers import _tree, industry
from citycarbon.domain.identifiers.industry import Industry, IndustryCatalogue
from citycarbon.i18n import translator


def rows() -> list[Industry]:
    return [
        Industry("C", "制造业", "section", None),
        Industry("C26", "化学原料和化学制品制造业", "division", "C"),
        Industry("C261", "基础化学原料制造", "group", "C26"),
        Industry("C2611", "无机酸制造", "class", "C261"),
        Industry("C2612", "无机碱制造", "class", "C261"),
        Industry("C30", "非金属矿物制品业", "division", "C"),
        Industry("C301", "水泥、石灰和石膏制造", "group", "C30"),
        Industry("C3011", "水泥制造", "class", "C301"),
        Industry("D", "电力、热力、燃气及水生产和供应业", "section", None),
        Industry("D44", "电力、热力生产和供应业", "division", "D"),
        Industry("D441", "电力生产", "group", "D44"),
        Industry("D4411", "火力发电", "class", "D441"),
    ]


@pytest.fixture
def catalogue() -> IndustryCatalogue:
    return IndustryCatalogue(reversed(rows()))


def rejection(catalogue: IndustryCatalogue, code: str) -> InvalidCode:
    with pytest.raises(InvalidCode) as caught:
        catalogue.validate(code)
    return caught.value


@pytest.mark.parametrize(
    ("spelling", "canonical", "level"),
    [
        ("C2611", "C2611", "class"),
        ("2611", "C2611", "class"),
        (" c2611 ", "C2611", "class"),
        ("C261", "C261", "group"),
        ("261", "C261", "group"),
        ("C26", "C26", "division"),
        ("26", "C26", "division"),
        ("C", "C", "section"),
        ("d", "D", "section"),
        ("4411", "D4411", "class"),
    ],
)
def test_accepted_spellings_normalise_to_letter_and_digits(
    catalogue: IndustryCatalogue, spelling: str, canonical: str, level: str
) -> None:
    node = catalogue.validate(spelling)
    assert (node.code, node.level) == (canonical, level)
    assert catalogue.normalise(spelling) == canonical
    assert catalogue.level_of(spelling) == level


@pytest.mark.parametrize("code", ["", "C2", "2", "26111", "CC26", "2611C", "C-26", "26.11"])
def test_malformed_code_is_rejected(catalogue: IndustryCatalogue, code: str) -> None:
    error = rejection(catalogue, code)
    assert error.message == industry.MSG_SHAPE
    assert error.params == {"code": code}


def test_section_letter_must_match_the_division(catalogue: IndustryCatalogue) -> None:
    error = rejection(catalogue, "D2611")
    assert error.message == industry.MSG_SECTION_MISMATCH
    assert error.params == {"letter": "D", "division": "26", "section": "C"}
    assert rejection(catalogue, "C44").params == {"letter": "C", "division": "44", "section": "D"}


@pytest.mark.parametrize("code", ["99", "9911", "C2699", "2613", "C27", "Z", "E"])
def test_unknown_code_is_rejected(catalogue: IndustryCatalogue, code: str) -> None:
    error = rejection(catalogue, code)
    assert error.message == industry.MSG_UNKNOWN
    assert error.params == {"code": code}


def test_ancestors_run_class_group_division_section(catalogue: IndustryCatalogue) -> None:
    assert [n.code for n in catalogue.ancestors("2611")] == ["C261", "C26", "C"]
    assert catalogue.ancestors("C") == ()
    parent = catalogue.parent("C3011")
    assert parent is not None
    assert parent.code == "C301"
    assert catalogue.parent("D") is None


@pytest.mark.parametrize(
    ("code", "level", "expected"),
    [
        ("2611", "division", "C26"),
        ("2611", "group", "C261"),
        ("2611", "class", "C2611"),
        ("C3011", "section", "C"),
        ("44", "section", "D"),
        ("C26", "division", "C26"),
    ],
)
def test_at_level_lifts_a_code(
    catalogue: IndustryCatalogue, code: str, level: industry.IndustryLevel, expected: str
) -> None:
    assert catalogue.at_level(code, level).code == expected


def test_at_level_cannot_descend(catalogue: IndustryCatalogue) -> None:
    with pytest.raises(InvalidCode) as caught:
        catalogue.at_level("C26", "class")
    assert caught.value.message == industry.MSG_NO_SUCH_LEVEL
    assert caught.value.params == {"code": "C26", "level": "division", "target_level": "class"}


def test_section_and_division_of(catalogue: IndustryCatalogue) -> None:
    assert catalogue.section_of("4411").name == "电力、热力、燃气及水生产和供应业"
    assert catalogue.division_of("3011").name == "非金属矿物制品业"
    with pytest.raises(InvalidCode):
        catalogue.division_of("C")


def test_children_descendants_and_levels(catalogue: IndustryCatalogue) -> None:
    assert [n.code for n in catalogue.children("C")] == ["C26", "C30"]
    assert [n.code for n in catalogue.descendants("C26")] == ["C261", "C2611", "C2612"]
    assert [n.code for n in catalogue.at_each_level("division")] == ["C26", "C30", "D44"]
    assert len(catalogue) == 12
    assert catalogue.validate("2611").digits == "2611"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (Industry("C2613", "级别错", "group", "C261"), industry.MSG_ROW_FORM),
        (Industry("C2613", "父错", "class", "C262"), industry.MSG_ROW_PARENT),
        (Industry("C26", "重复", "division", "C"), _tree.MSG_DUPLICATE),
        (Industry("c2613", "小写", "class", "C261"), industry.MSG_SHAPE),
        (Industry("C2711", "无父", "class", "C271"), _tree.MSG_MISSING_PARENT),
    ],
)
def test_inconsistent_rows_are_refused(bad_row: Industry, message: str) -> None:
    with pytest.raises(ReferenceDataError) as caught:
        IndustryCatalogue([*rows(), bad_row])
    assert caught.value.message == message


MESSAGES = {name: value for name, value in vars(industry).items() if name.startswith("MSG_")}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_has_chinese_translation_with_same_placeholders(name: str) -> None:
    text = MESSAGES[name]
    translated = translator("zh_CN")(text)
    assert translated != text

    def fields(template: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}

    assert fields(translated) == fields(text)
