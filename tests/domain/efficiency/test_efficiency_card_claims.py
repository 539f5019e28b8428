"""The card payload: canonical bytes, round trip, and refusal of text that is not a payload."""

from __future__ import annotations

import pytest

from citycarbon.domain.efficiency.card import CardClaims, MalformedCard, decode_payload, encode_payload

CLAIMS = CardClaims(
    uscc="91331002MA2ABCDE1X",
    name="台州测试机械有限公司",
    period="2024",
    scheme="huzhou@2026.1",
    grade="3",
    grade_label="接近行业平均",
    level="medium",
    k_value=1.05,
    intensity=1.3125,
    benchmark=1.25,
    benchmark_industry="C3411",
    issued_at="2026-11-25T00:00:00Z",
    key_id="0123456789abcdef",
)


def test_canonical_bytes_are_sorted_compact_utf8() -> None:
    text = CLAIMS.canonical_bytes().decode()
    assert text.startswith('{"benchmark":1.25,"benchmark_industry":"C3411",')
    assert " " not in text.replace("台州测试机械有限公司", "")
    assert "台州" in text


def test_round_trip_keeps_claims_and_signature() -> None:
    payload = encode_payload(CLAIMS, b"\x01" * 64)
    assert payload.startswith("CC1.") and "=" not in payload
    claims, signed, signature = decode_payload(payload)
    assert claims == CLAIMS and signed == CLAIMS.canonical_bytes() and signature == b"\x01" * 64


@pytest.mark.parametrize("text", ["", "CC1.abc", "XX1.a.b", "CC1.!!!.abc", "CC1.e30.AA"])
def test_not_a_payload(text: str) -> None:
    with pytest.raises(MalformedCard):
        decode_payload(text)
