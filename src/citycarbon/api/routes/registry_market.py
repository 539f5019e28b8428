"""Registry unit movements and auctions: transfer, retire, cancel; auction, bid, settle, split.

The routes go on the registry's one router, which :mod:`citycarbon.api.routes.registry` extends
and the application includes (a nested router would hide these routes from the permission
documentation of ``api/app.py``). A trader (enterprise or bank) moves units
only out of its own organisation's accounts and bids only for them; the centre
(``registry:manage``) closes auctions, confirms payments and splits proceeds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from citycarbon.api.deps import AggregateReader, DatabaseUrl, allow
from citycarbon.api.schemas.common import COMMON_PROBLEMS, problem_responses
from citycarbon.api.schemas.registry_market import (
    AllocationOut,
    AuctionIn,
    AuctionOut,
    BenefitSplitOut,
    BidIn,
    BidOut,
    CancellationIn,
    MovementOut,
    OperationOut,
    RetirementIn,
    SerialRangeIn,
    TransferIn,
)
from citycarbon.domain.access.roles import Permission
from citycarbon.domain.sinks.blocks import SerialRange, UnitState, format_serial
from citycarbon.services import registry_auctions, registry_operations
from citycarbon.services.caller import Caller
from citycarbon.services.registry_operations import OperationResult, RetirementClaim
from citycarbon.services.registry_tx import utc_now

router = APIRouter(tags=["carbon-sink registry"], responses=problem_responses(401, 413, 422, 429))
WRITES = problem_responses(*COMMON_PROBLEMS, 404, 409)
RegistryManager = Annotated[Caller, allow(Permission.REGISTRY_MANAGE)]
RegistryTrader = Annotated[Caller, allow(Permission.REGISTRY_TRADE)]
AuctionCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
API_ACTOR = "api"


def operation_out(result: OperationResult) -> OperationOut:
    """Render what an operation moved."""
    movements = [
        MovementOut(
            serial=format_serial(m.project_code, m.vintage_year, m.serial_start, m.serial_end),
            project_code=m.project_code,
            vintage_year=m.vintage_year,
            serial_start=m.serial_start,
            serial_end=m.serial_end,
            quantity_tco2e=m.serial_end - m.serial_start + 1,
            from_account_code=m.from_account_code,
            from_state=m.from_state,
            to_account_code=m.to_account_code,
            to_state=m.to_state,
        )
        for m in result.movements
    ]
    return OperationOut(
        entry_id=result.entry_id,
        retirement_id=result.record_id,
        quantity_tco2e=sum(m.quantity_tco2e for m in movements),
        movements=movements,
    )


def _range(serials: SerialRangeIn) -> SerialRange:
    return SerialRange(serials.project_code, serials.vintage_year, serials.serial_start, serials.serial_end)


@router.post("/registry/transfers", response_model=OperationOut, status_code=201, responses=WRITES)
def transfer(body: TransferIn, caller: RegistryTrader, url: DatabaseUrl) -> OperationOut:
    """Transfer active units out of one of the caller's accounts: a quantity, or named serials."""
    if body.serials is not None:
        result = registry_operations.transfer_serials(
            url, body.from_account_code, body.to_account_code, _range(body.serials), API_ACTOR, caller=caller
        )
    else:
        assert body.quantity_tco2e is not None
        result = registry_operations.transfer_units(
            url,
            body.from_account_code,
            body.to_account_code,
            body.quantity_tco2e,
            API_ACTOR,
            body.project_code,
            body.vintage_year,
            caller=caller,
        )
    return operation_out(result)


def _retire(
    url: str, caller: Caller, body: RetirementIn | CancellationIn, claim: RetirementClaim
) -> OperationOut:
    if body.serials is not None:
        result = registry_operations.retire_serials(
            url, body.account_code, _range(body.serials), claim, API_ACTOR, caller=caller
        )
    else:
        assert body.quantity_tco2e is not None
        result = registry_operations.retire_units(
            url,
            body.account_code,
            body.quantity_tco2e,
            claim.beneficiary_name,
            claim.purpose,
            API_ACTOR,
            body.project_code,
            body.vintage_year,
            claim.state,
            caller=caller,
        )
    return operation_out(result)


@router.post("/registry/retirements", response_model=OperationOut, status_code=201, responses=WRITES)
def retire(body: RetirementIn, caller: RegistryTrader, url: DatabaseUrl) -> OperationOut:
    """Retire units of one of the caller's accounts for good, naming the beneficiary and purpose."""
    return _retire(url, caller, body, RetirementClaim(body.beneficiary_name, body.purpose))


@router.post("/registry/cancellations", response_model=OperationOut, status_code=201, responses=WRITES)
def cancel(body: CancellationIn, caller: RegistryManager, url: DatabaseUrl) -> OperationOut:
    """Cancel units (e.g. a reversal of the sink); they can never be used again."""
    return _retire(url, caller, body, RetirementClaim("registry", body.reason, UnitState.CANCELLED))


def _auction_out(url: str, code: str) -> AuctionOut:
    return AuctionOut.model_validate(registry_auctions.auction_view(url, code))


@router.post("/registry/auctions", response_model=AuctionOut, status_code=201, responses=WRITES)
def create_auction(body: AuctionIn, caller: RegistryTrader, url: DatabaseUrl) -> AuctionOut:
    """Auction units of one of the caller's accounts; the lot is held in escrow until settlement."""
    spec = registry_auctions.AuctionSpec(
        body.auction_code,
        body.kind,
        body.seller_account_code,
        body.project_code,
        body.vintage_year,
        body.quantity_tco2e,
        body.reserve_price_fen,
        body.min_increment_fen,
        body.opens_at or utc_now(),
        body.closes_at,
        body.payment_hours,
    )
    registry_auctions.create_auction(url, spec, API_ACTOR, caller=caller)
    return _auction_out(url, body.auction_code)


@router.get("/registry/auctions/{auction_code}", response_model=AuctionOut, responses=WRITES)
def get_auction(auction_code: AuctionCode, _: AggregateReader, url: DatabaseUrl) -> AuctionOut:
    """An auction's terms and state (sealed amounts hidden until the close)."""
    return _auction_out(url, auction_code)


@router.post(
    "/registry/auctions/{auction_code}/bids", response_model=BidOut, status_code=201, responses=WRITES
)
def place_bid(auction_code: AuctionCode, body: BidIn, caller: RegistryTrader, url: DatabaseUrl) -> BidOut:
    """Bid for the whole lot for one of the caller's approved accounts (refused after the close)."""
    bid_id = registry_auctions.place_bid(
        url, auction_code, body.bidder_account_code, body.amount_fen, API_ACTOR, caller=caller
    )
    return BidOut(
        bid_id=bid_id,
        auction_code=auction_code,
        bidder_account_code=body.bidder_account_code,
        amount_fen=body.amount_fen,
    )


@router.post("/registry/auctions/{auction_code}/close", response_model=AuctionOut, responses=WRITES)
def close_auction(auction_code: AuctionCode, caller: RegistryManager, url: DatabaseUrl) -> AuctionOut:
    """Close bidding after the closing time: the winner must pay; an unsold lot returns to the seller."""
    registry_auctions.close_auction(url, auction_code, API_ACTOR, caller=caller)
    return _auction_out(url, auction_code)


@router.post("/registry/auctions/{auction_code}/payment", response_model=AuctionOut, responses=WRITES)
def confirm_payment(auction_code: AuctionCode, caller: RegistryManager, url: DatabaseUrl) -> AuctionOut:
    """Delivery versus payment: the payment is confirmed, so the lot moves from escrow to the winner."""
    registry_auctions.confirm_payment(url, auction_code, API_ACTOR, caller=caller)
    return _auction_out(url, auction_code)


@router.post("/registry/auctions/{auction_code}/lapse", response_model=AuctionOut, responses=WRITES)
def lapse_auction(auction_code: AuctionCode, caller: RegistryManager, url: DatabaseUrl) -> AuctionOut:
    """The winner did not pay by the deadline: the lot returns to the seller."""
    registry_auctions.lapse_unpaid(url, auction_code, API_ACTOR, caller=caller)
    return _auction_out(url, auction_code)


@router.post(
    "/registry/auctions/{auction_code}/benefit-split",
    response_model=BenefitSplitOut,
    status_code=201,
    responses=WRITES,
)
def split_benefit(auction_code: AuctionCode, caller: RegistryManager, url: DatabaseUrl) -> BenefitSplitOut:
    """Split a settled auction's proceeds by the project's rule (a journal entry; no fen lost)."""
    allocations = registry_auctions.split_benefit(url, auction_code, API_ACTOR, caller=caller)
    return BenefitSplitOut(
        auction_code=auction_code,
        total_fen=sum(a.amount_fen for a in allocations),
        allocations=[AllocationOut(party_name=a.party_name, amount_fen=a.amount_fen) for a in allocations],
    )
