"""Consents: an enterprise grants a named bank access to its carbon profile, and can revoke it."""

from __future__ import annotations

from fastapi import APIRouter, status

from citycarbon.api.deps import ConsentManager, ConsentReader, DatabaseUrl, ObjectId
from citycarbon.api.schemas.common import COMMON_PROBLEMS, problem_responses
from citycarbon.api.schemas.consents import ConsentIn, ConsentOut
from citycarbon.services import consents

router = APIRouter(tags=["consents"], responses=problem_responses(*COMMON_PROBLEMS, 404))


@router.post("/consents", response_model=ConsentOut, status_code=status.HTTP_201_CREATED)
def grant_consent(body: ConsentIn, caller: ConsentManager, url: DatabaseUrl) -> ConsentOut:
    """Let a named bank read the caller's organisation's carbon profile, for a purpose, until a date."""
    view = consents.grant_consent(
        url, caller, bank_uscc=body.bank_uscc, purpose=body.purpose, valid_until_date=body.valid_until_date
    )
    return ConsentOut.model_validate(view)


@router.get("/consents", response_model=list[ConsentOut])
def list_consents(caller: ConsentReader, url: DatabaseUrl) -> list[ConsentOut]:
    """Consents the caller's organisation gave (enterprise) or holds (bank)."""
    return [ConsentOut.model_validate(c) for c in consents.list_consents(url, caller)]


@router.delete("/consents/{consent_id}", response_model=ConsentOut)
def revoke_consent(consent_id: ObjectId, caller: ConsentManager, url: DatabaseUrl) -> ConsentOut:
    """Revoke a consent; the bank's next request is refused."""
    return ConsentOut.model_validate(consents.revoke_consent(url, caller, consent_id))
