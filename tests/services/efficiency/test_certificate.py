"""Grade cards: a genuine card verifies offline, a tampered or foreign-key card does not."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from citycarbon.domain.efficiency.card import MalformedCard
from citycarbon.services.card_pdf import read_card_payload
from citycarbon.services.certificate import (
    CardError,
    CardSettings,
    issue_card,
    key_id,
    load_signing_key,
    public_key_pem,
    verify_card,
    verify_card_payload,
)
from citycarbon.services.rating import rate

from .conftest import A, B, D, options


def tamper(payload: str, **changes: object) -> str:
    prefix, claims, signature = payload.split(".")
    document = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    document.update(changes)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{prefix}.{base64.urlsafe_b64encode(text).rstrip(b'=').decode()}.{signature}"


def test_card_verifies_and_tampering_fails(city: str, tmp_path: Path) -> None:
    rate(city, "2024", options())
    key = Ed25519PrivateKey.generate()
    card = issue_card(city, B, "2024", key=key)
    assert (card.claims.grade, card.claims.level, card.claims.benchmark_industry) == ("3", "medium", "C3411")
    assert card.claims.k_value == pytest.approx(0.875)
    assert card.claims.key_id == key_id(key.public_key())
    assert verify_card_payload(card.payload, key.public_key()) == card.claims
    assert verify_card_payload(card.payload, public_key_pem(key.public_key()).decode()) == card.claims
    with pytest.raises(CardError, match="does not verify"):
        verify_card_payload(tamper(card.payload, grade="1"), key.public_key())
    with pytest.raises(CardError, match="does not verify"):
        verify_card_payload(card.payload, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(MalformedCard):
        verify_card_payload("not a card", key.public_key())
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(card.pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert read_card_payload(card.pdf) == card.payload
    assert verify_card(pdf, key.public_key()).uscc == B


def test_firm_without_grade_gets_no_card_and_the_reason(city: str) -> None:
    rate(city, "2024", options())
    with pytest.raises(CardError, match="Value added not reported"):
        issue_card(city, D, "2024", key=Ed25519PrivateKey.generate())
    with pytest.raises(CardError, match="not rated yet"):
        issue_card(city, A, "2023", key=Ed25519PrivateKey.generate())


def test_key_pair_is_created_once_with_a_private_file(tmp_path: Path) -> None:
    settings = CardSettings(keys_dir=tmp_path / "keys")
    first = load_signing_key(settings)
    assert stat.S_IMODE(settings.private_path.stat().st_mode) == 0o600
    assert settings.public_path.read_bytes() == public_key_pem(first.public_key())
    again = load_signing_key(settings)
    assert key_id(again.public_key()) == key_id(first.public_key())
