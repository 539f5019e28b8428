"""Unified social credit code: check character, normalisation and every rejection reason."""

from __future__ import annotations

import random
import string

import pytest

from citycarbon.domain.errors import InvalidCode
from citycarbon.domain.identifiers import uscc
from citycarbon.domain.identifiers.uscc import (
    is_valid_uscc,
    make_uscc,
    uscc_check_character,
    validate_uscc,
)
from citycarbon.i18n import translator

# Typed from GB 32100-2015 Annex A as quoted in china-reference.md §6, not taken from the code.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PUBLISHED_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
VALID = ["914403001922038216", "91330100716105852F", "9144030071526726XG", "91350200MA2YJ1XR9G"]
LEGACY = ["91350211M0000XUF46", "91350100M0001TGQXM"]


def expected_check(first17: str) -> str:
    """Check character by the formula: weights 3^(i-1) mod 31, value = index in the alphabet."""
    weights = [3 ** (i - 1) % 31 for i in range(1, 18)]
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, weights, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def rejection(code: str, **kwargs: bool) -> InvalidCode:
    with pytest.raises(InvalidCode) as caught:
        validate_uscc(code, **kwargs)
    return caught.value


def test_weights_are_the_published_ones() -> None:
    assert list(uscc.WEIGHTS) == PUBLISHED_WEIGHTS
    assert [3 ** (i - 1) % 31 for i in range(1, 18)] == PUBLISHED_WEIGHTS


def test_hand_computed_check_character() -> None:
    # 9*1 + 1*3 + 3*9 + 3*27 + 0 + 1*26 + 0 + 0 + 7*20 + 1*29 + 6*25 + 1*13 + 0 + 5*24
    # + 8*10 + 5*30 + 2*28 = 884; 884 mod 31 = 16; 31 - 16 = 15 -> ALPHABET[15] = 'F'
    assert uscc_check_character("91330100716105852") == "F"


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass_and_match_the_formula(code: str) -> None:
    assert expected_check(code[:17]) == code[17]
    assert uscc_check_character(code[:17]) == code[17]
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", VALID)
def test_make_uscc_appends_the_check_character(code: str) -> None:
    assert make_uscc(code[:17]) == code


def test_input_is_normalised() -> None:
    assert validate_uscc("  91330100716105852f\t") == "91330100716105852F"


def test_wrong_length_is_rejected() -> None:
    error = rejection("9133010071610585")
    assert error.message == uscc.MSG_LENGTH
    assert error.params == {"length": 16}
    assert rejection(VALID[1] + "0").params == {"length": 19}


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_character_outside_the_alphabet_is_rejected_with_its_position(bad: str) -> None:
    code = VALID[1][:9] + bad + VALID[1][10:]
    error = rejection(code)
    assert error.message == uscc.MSG_CHARACTER
    assert error.params == {"character": bad, "position": 10}


def test_letter_in_the_region_code_is_rejected() -> None:
    code = "9133A100716105852F"
    error = rejection(code)
    assert error.message == uscc.MSG_REGION_DIGIT
    assert error.params == {"character": "A", "position": 5}


def test_unknown_registration_authority_is_rejected() -> None:
    code = make_uscc("B1330100716105852")
    error = rejection(code)
    assert error.message == uscc.MSG_AUTHORITY
    assert error.params == {"authority": "B"}


@pytest.mark.parametrize(("prefix", "authority", "entity_type"), [("94", "9", "4"), ("Y2", "Y", "2")])
def test_entity_type_not_used_by_the_authority_is_rejected(
    prefix: str, authority: str, entity_type: str
) -> None:
    code = make_uscc(prefix + "330100716105852")
    error = rejection(code)
    assert error.message == uscc.MSG_ENTITY_TYPE
    assert error.params == {"entity_type": entity_type, "authority": authority}


@pytest.mark.parametrize("prefix", ["11", "31", "52", "93", "A1", "N2", "Y1"])
def test_other_authorities_of_gb32100_table1_are_accepted(prefix: str) -> None:
    assert is_valid_uscc(make_uscc(prefix + "330100716105852"))


def test_wrong_check_character_names_expected_and_actual() -> None:
    error = rejection("91330100716105852G")
    assert error.message == uscc.MSG_CHECK
    assert error.params == {"expected": "F", "actual": "G"}
    assert str(error) == "Check character should be 'F', got 'G'"
    assert not is_valid_uscc("91330100716105852G")


@pytest.mark.parametrize("code", LEGACY)
def test_legacy_code_is_admitted_only_with_the_override(code: str) -> None:
    assert expected_check(code[:17]) != code[17]
    error = rejection(code)
    assert error.message == uscc.MSG_CHECK
    assert error.params == {"expected": expected_check(code[:17]), "actual": code[17]}
    assert validate_uscc(code.lower(), allow_legacy=True) == code


def test_override_does_not_excuse_other_faults() -> None:
    assert rejection("9135021100000XUF4I", allow_legacy=True).message == uscc.MSG_CHARACTER
    assert rejection("91350211M0000XUF4", allow_legacy=True).message == uscc.MSG_LENGTH
    assert rejection("94350211M0000XUF46", allow_legacy=True).message == uscc.MSG_ENTITY_TYPE


def test_every_single_substitution_in_the_identifier_is_caught() -> None:
    code = VALID[3]
    for position in range(8, 18):
        for replacement in ALPHABET:
            if replacement != code[position]:
                altered = code[:position] + replacement + code[position + 1 :]
                assert not is_valid_uscc(altered), altered


def test_random_bodies_round_trip() -> None:
    rng = random.Random(20240101)
    for _ in range(200):
        body = "91" + "".join(rng.choices(string.digits, k=6)) + "".join(rng.choices(ALPHABET, k=9))
        code = make_uscc(body)
        assert code[17] == expected_check(body)
        assert validate_uscc(code) == code


@pytest.mark.parametrize("first17", ["9133010071610585", "913301007161058521", "9133010071610585I"])
def test_check_character_needs_17_alphabet_characters(first17: str) -> None:
    with pytest.raises(InvalidCode) as caught:
        uscc_check_character(first17)
    assert caught.value.message in {uscc.MSG_FIRST17_LENGTH, uscc.MSG_CHARACTER}
    with pytest.raises(InvalidCode):
        make_uscc(first17)


MESSAGES = {name: value for name, value in vars(uscc).items() if name.startswith("MSG_")}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_has_chinese_translation_with_same_placeholders(name: str) -> None:
    text = MESSAGES[name]
    translated = translator("zh_CN")(text)
    assert translated != text

    def fields(template: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}

    assert fields(translated) == fields(text)
