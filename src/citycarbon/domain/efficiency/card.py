"""What a carbon-efficiency card asserts, and the compact text form its QR code carries.

The payload is ``CC1.<claims>.<signature>``, both parts base64url without padding. The claims
are canonical JSON (sorted keys, no spaces, UTF-8), so the same card always signs the same
bytes and a verifier can rebuild them exactly. Signing itself needs a crypto library and
happens in :mod:`citycarbon.services.certificate`; this module stays pure.
"""

from __future__ import annotations

import base64
import binascii
import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from citycarbon.domain.errors import CityCarbonError

PREFIX = "CC1"
MSG_MALFORMED = "This is not a citycarbon card payload (expected CC1.<claims>.<signature>)"


class MalformedCard(CityCarbonError):
    """Text that is not a card payload at all (as opposed to a payload with a bad signature)."""


class CardClaims(BaseModel):
    """The facts a card certifies; every figure is the stored one, rounded for display only.

    Parameters
    ----------
    uscc, name
        Unified social credit code and registered name of the enterprise.
    period
        Rated period code (``2024``, ``2024-Q1``).
    scheme
        ``<scheme code>@<version>`` of the grading scheme.
    grade, grade_label, level
        Grade code and label, and the absolute level code (empty when the scheme has none).
    k_value
        K = intensity ÷ benchmark [dimensionless].
    intensity, benchmark
        Enterprise intensity and industry benchmark [tCO2e/10^4 CNY value added].
    benchmark_industry
        GB/T 4754 code the benchmark was computed for (after any fallback).
    issued_at
        UTC time of issue, ISO 8601.
    key_id
        First 16 hex digits of the SHA-256 of the signing public key.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str = Field(min_length=18, max_length=18)
    name: str
    period: str
    scheme: str
    grade: str
    grade_label: str
    level: str
    k_value: float
    intensity: float
    benchmark: float
    benchmark_industry: str
    issued_at: str
    key_id: str

    def canonical_bytes(self) -> bytes:
        """The exact bytes that are signed."""
        document = self.model_dump()
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_payload(claims: CardClaims, signature: bytes) -> str:
    """Join claims and signature into the QR payload text."""
    return f"{PREFIX}.{_b64(claims.canonical_bytes())}.{_b64(signature)}"


def decode_payload(payload: str) -> tuple[CardClaims, bytes, bytes]:
    """Split a payload into claims, the signed bytes and the signature.

    Raises
    ------
    MalformedCard
        When the text does not have the payload's shape or its claims do not parse.

    """
    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise MalformedCard(MSG_MALFORMED)
    try:
        signed, signature = _unb64(parts[1]), _unb64(parts[2])
        claims = CardClaims.model_validate_json(signed)
    except (binascii.Error, ValueError, ValidationError):
        raise MalformedCard(MSG_MALFORMED) from None
    return claims, signed, signature
