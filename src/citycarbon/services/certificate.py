"""Issue and verify carbon-efficiency cards signed with the platform's Ed25519 key.

The QR code of a card carries ``CC1.<claims>.<signature>`` (see
:mod:`citycarbon.domain.efficiency.card`). Anyone holding the platform's public key can check a
card offline; :func:`verify_card_payload` is the pure check the API's verify endpoint calls.
The key pair lives in ``var/keys/`` (created on first use, private key readable by its owner
only) unless ``CITYCARBON_CARD_PRIVATE_KEY_FILE`` / ``CITYCARBON_CARD_PUBLIC_KEY_FILE`` name
other files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic_settings import BaseSettings, SettingsConfigDict

from citycarbon.domain.efficiency.card import PREFIX, CardClaims, decode_payload, encode_payload
from citycarbon.domain.efficiency.reasons import describe_reason
from citycarbon.domain.errors import CityCarbonError
from citycarbon.refdata.grading import load_grading_scheme
from citycarbon.services.card_pdf import read_card_payload, render_card_pdf
from citycarbon.services.rating import read_grades

MSG_NOT_GRADED = "{uscc} has no grade for {period} with scheme {scheme}: {reason}"
MSG_BAD_SIGNATURE = "The card's signature does not verify: it was altered or not issued with this key"
MSG_NO_PAYLOAD = "No card payload found in {file}"
MSG_NOT_A_KEY = "{file} is not an Ed25519 key in PEM format"


class CardError(CityCarbonError):
    """A card that cannot be issued, or does not verify."""


class CardSettings(BaseSettings):
    """Where the signing keys are (environment prefix ``CITYCARBON_CARD_``)."""

    model_config = SettingsConfigDict(env_prefix="CITYCARBON_CARD_", extra="ignore")

    keys_dir: Path = Path("var") / "keys"
    private_key_file: Path | None = None
    public_key_file: Path | None = None

    @property
    def private_path(self) -> Path:
        """The private key file in use."""
        return self.private_key_file or self.keys_dir / "card_ed25519.pem"

    @property
    def public_path(self) -> Path:
        """The public key file in use (published so that anyone can verify cards)."""
        return self.public_key_file or self.keys_dir / "card_ed25519.pub.pem"


@dataclass(frozen=True)
class IssuedCard:
    """A signed card: its claims, the QR payload and the PDF bytes."""

    claims: CardClaims
    payload: str
    pdf: bytes


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo), the form published for verifiers."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key, printed on every card."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_signing_key(settings: CardSettings | None = None) -> Ed25519PrivateKey:
    """The platform's private key, generated and saved (mode 0600) on first use."""
    settings = settings or CardSettings()
    path = settings.private_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        settings.public_path.parent.mkdir(parents=True, exist_ok=True)
        settings.public_path.write_bytes(public_key_pem(key.public_key()))
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise CardError(MSG_NOT_A_KEY, file=str(path))
    return loaded


def load_public_key(source: Path | bytes | str | None = None) -> Ed25519PublicKey:
    """A public key from PEM bytes or text, a PEM file, or (by default) the platform's own."""
    if source is None:
        settings = CardSettings()
        if not settings.public_path.exists():
            return load_signing_key(settings).public_key()
        source = settings.public_path
    if isinstance(source, Path):
        data = source.read_bytes()
        name = str(source)
    else:
        data = source.encode() if isinstance(source, str) else source
        name = "public key"
    try:
        loaded = serialization.load_pem_public_key(data)
    except ValueError:
        raise CardError(MSG_NOT_A_KEY, file=name) from None
    if not isinstance(loaded, Ed25519PublicKey):
        raise CardError(MSG_NOT_A_KEY, file=name)
    return loaded


def sign_claims(claims: CardClaims, key: Ed25519PrivateKey) -> str:
    """Sign the canonical bytes of ``claims``; return the QR payload."""
    return encode_payload(claims, key.sign(claims.canonical_bytes()))


def verify_card_payload(payload: str, public_key: Ed25519PublicKey | bytes | str) -> CardClaims:
    """Return the claims of a genuine card; raise :class:`CardError` for a forged or altered one.

    Pure: no database, no files. ``public_key`` is a key object or its PEM text.

    Raises
    ------
    MalformedCard
        When ``payload`` is not a card payload at all.
    CardError
        When the signature does not match the claims under ``public_key``.

    """
    key = public_key if isinstance(public_key, Ed25519PublicKey) else load_public_key(public_key)
    claims, signed, signature = decode_payload(payload)
    try:
        key.verify(signature, signed)
    except InvalidSignature:
        raise CardError(MSG_BAD_SIGNATURE) from None
    return claims


def verify_card(source: str | Path, public_key: Ed25519PublicKey | bytes | str | None = None) -> CardClaims:
    """Verify a card PDF file or a payload text with the given (or the platform's) public key."""
    payload = str(source).strip()
    if isinstance(source, Path) or not payload.startswith(f"{PREFIX}."):
        path = Path(source)
        payload = (read_card_payload(path.read_bytes()) if path.is_file() else None) or ""
        if not payload:
            raise CardError(MSG_NO_PAYLOAD, file=str(source))
    return verify_card_payload(payload, public_key if public_key is not None else load_public_key())


def issue_card(
    url: str,
    uscc: str,
    period: str,
    scheme: str | None = None,
    *,
    key: Ed25519PrivateKey | None = None,
    issued_at: dt.datetime | None = None,
) -> IssuedCard:
    """Build, sign and render the card of ``uscc`` from its current grade.

    Raises
    ------
    CardError
        When the organisation has no grade for the period and scheme (with the reason).

    """
    scheme_code = scheme or load_grading_scheme().code
    grades = read_grades(url, period, scheme_code, uscc.strip().upper())
    if grades.is_empty() or grades["grade"][0] is None:
        reason = "not rated yet (run citycarbon rate)"
        if not grades.is_empty():
            reason = describe_reason(str(grades["not_rated_reason"][0]))
        raise CardError(MSG_NOT_GRADED, uscc=uscc, period=period, scheme=scheme_code, reason=reason)
    row = grades.row(0, named=True)
    key = key or load_signing_key()
    moment = (issued_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    claims = CardClaims(
        uscc=row["uscc"],
        name=row["name"],
        period=row["period_code"],
        scheme=f"{row['scheme_code']}@{row['scheme_version']}",
        grade=row["grade_code"],
        grade_label=row["grade_label_zh"],
        level=row["level_code"] or "",
        k_value=round(row["k_industry"], 6),
        intensity=round(row["intensity_tco2e_per_10k_cny"], 6),
        benchmark=round(row["benchmark_tco2e_per_10k_cny"], 6),
        benchmark_industry=row["benchmark_industry_code"],
        issued_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        key_id=key_id(key.public_key()),
    )
    payload = sign_claims(claims, key)
    return IssuedCard(claims, payload, render_card_pdf(claims, payload, row["colour"] or ""))
