"""Unified social credit code (统一社会信用代码), the key every enterprise record hangs on.

A credit code is 18 characters: registration authority (1), entity type (1), the GB/T 2260
region code of the registering authority (6), the entity identifier (9) and a check character
(1). Validation reports the *first* fault with its position, because a user fixing a typo
needs to know which character to look at, not just that the code "is invalid".

Some early pilot codes (e.g. Fujian 2015 codes) are legally issued yet fail the check
character; ``allow_legacy=True`` admits a code whose *only* fault is the check character, so
that such an enterprise can still be registered once someone has confirmed the code.

References
----------
GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》, §4 (structure), Table 1
(registration authority and entity type codes) and Annex A (check character).

"""

from __future__ import annotations

from collections.abc import Mapping

from citycarbon.domain.errors import InvalidCode

#: The 31 characters a credit code may use; I, O, S, V and Z are excluded to avoid misreading.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of positions 1..17 in the check sum: 3**(i-1) mod 31 (GB 32100-2015 Annex A).
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
CODE_LENGTH = 18

#: Entity type codes (position 2) allowed for each registration authority code (position 1).
ENTITY_TYPES: Mapping[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 编办管理的群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他: not subdivided
}

MSG_LENGTH = "A unified social credit code has 18 characters, got {length}"
MSG_FIRST17_LENGTH = "Expected the first 17 characters of a unified social credit code, got {length}"
MSG_CHARACTER = (
    "Character '{character}' at position {position} is not allowed in a unified social credit code"
)
MSG_REGION_DIGIT = (
    "Position {position} must be a digit (positions 3 to 8 are the region code of the "
    "registering authority), got '{character}'"
)
MSG_AUTHORITY = "Unknown registration authority code '{authority}' at position 1"
MSG_ENTITY_TYPE = (
    "Entity type code '{entity_type}' at position 2 is not used by registration authority '{authority}'"
)
MSG_CHECK = "Check character should be '{expected}', got '{actual}'"

_REGION_POSITIONS = range(3, 9)  # 1-based positions of the region code


def _check_characters(text: str) -> None:
    """Reject the first character that cannot appear at its position."""
    for position, character in enumerate(text, start=1):
        if character not in ALPHABET:
            raise InvalidCode(MSG_CHARACTER, character=character, position=position)
        if position in _REGION_POSITIONS and not character.isdigit():
            raise InvalidCode(MSG_REGION_DIGIT, character=character, position=position)


def _check_authority(text: str) -> None:
    """Reject an authority or entity type that GB 32100 Table 1 does not define."""
    authority, entity_type = text[0], text[1]
    allowed = ENTITY_TYPES.get(authority)
    if allowed is None:
        raise InvalidCode(MSG_AUTHORITY, authority=authority)
    if entity_type not in allowed:
        raise InvalidCode(MSG_ENTITY_TYPE, entity_type=entity_type, authority=authority)


def _checked_first17(first17: str) -> str:
    text = first17.strip().upper()
    if len(text) != CODE_LENGTH - 1:
        raise InvalidCode(MSG_FIRST17_LENGTH, length=len(text))
    _check_characters(text)
    return text


def uscc_check_character(first17: str) -> str:
    """Return the check character GB 32100 Annex A assigns to the first 17 characters.

    Parameters
    ----------
    first17
        Positions 1–17 of a credit code (case and surrounding blanks are ignored).

    Returns
    -------
    str
        One character of :data:`ALPHABET`.

    Raises
    ------
    InvalidCode
        When ``first17`` is not 17 characters of the credit-code alphabet.

    Examples
    --------
    >>> uscc_check_character("91330100716105852")
    'F'

    """
    text = _checked_first17(first17)
    values = (ALPHABET.index(character) for character in text)
    total = sum(value * weight for value, weight in zip(values, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_uscc(first17: str) -> str:
    """Complete 17 characters into a credit code that passes the check (used for demo data).

    Examples
    --------
    >>> make_uscc("91350200MA2YJ1XR9")
    '91350200MA2YJ1XR9G'

    """
    text = _checked_first17(first17)
    return text + uscc_check_character(text)


def validate_uscc(code: str, *, allow_legacy: bool = False) -> str:
    """Return the normalised credit code, or raise :class:`InvalidCode` naming the first fault.

    Parameters
    ----------
    code
        The code as typed or imported; surrounding blanks and lower case are tolerated.
    allow_legacy
        Admit a code whose only fault is its check character. Use it only with a recorded
        reason (a known pilot-era code), because it also admits a mistyped last character.

    Returns
    -------
    str
        The code stripped and in upper case.

    Raises
    ------
    InvalidCode
        With the reason: wrong length, a character not allowed at its position, an unknown
        registration authority or entity type, or a wrong check character.

    Examples
    --------
    >>> validate_uscc(" 91330100716105852f ")
    '91330100716105852F'
    >>> validate_uscc("91350211M0000XUF46", allow_legacy=True)
    '91350211M0000XUF46'

    """
    text = code.strip().upper()
    if len(text) != CODE_LENGTH:
        raise InvalidCode(MSG_LENGTH, length=len(text))
    _check_characters(text)
    _check_authority(text)
    expected = uscc_check_character(text[:-1])
    if text[-1] != expected and not allow_legacy:
        raise InvalidCode(MSG_CHECK, expected=expected, actual=text[-1])
    return text


def is_valid_uscc(code: str) -> bool:
    """Tell whether ``code`` passes every rule, check character included (no legacy override)."""
    try:
        validate_uscc(code)
    except InvalidCode:
        return False
    return True
