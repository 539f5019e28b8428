"""The public carbon-sink registry: open to all, like the published aggregates.

Only the read-only public view is served here; registry operations (issuance, transfers,
auctions) need their own permissions in the role table before they get endpoints.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citycarbon.api.deps import AggregateReader, DatabaseUrl
from citycarbon.api.schemas.common import problem_responses
from citycarbon.api.schemas.registry import PublicRegistryOut
from citycarbon.services.registry_public import public_registry

router = APIRouter(tags=["carbon-sink registry"], responses=problem_responses(401, 413, 422, 429))

ProjectCode = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Only this project's records")
]


@router.get("/registry/public", response_model=PublicRegistryOut)
def get_public_registry(
    _: AggregateReader, url: DatabaseUrl, project_code: ProjectCode = None
) -> PublicRegistryOut:
    """Projects, issuances (serials, verifier), serial blocks and retirements (beneficiary, purpose)."""
    return PublicRegistryOut.model_validate(public_registry(url, project_code))
