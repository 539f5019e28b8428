"""Request and response schemas of unit movements and auctions (transfer, retire, bid, settle)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, model_validator

from citycarbon.api.schemas.common import Input, LongText, Name, Schema, UtcDateTime
from citycarbon.api.schemas.registry_ops import Fen, RegistryCode, Serial, Tonnes, VintageYear
from citycarbon.domain.sinks.auction import AuctionKind


class SerialRangeIn(Input):
    """Exactly these serials (inclusive) of one project and vintage."""

    project_code: RegistryCode
    vintage_year: VintageYear
    serial_start: Serial
    serial_end: Serial

    @model_validator(mode="after")
    def _in_order(self) -> SerialRangeIn:
        if self.serial_end < self.serial_start:
            raise ValueError("serial_end is below serial_start")
        return self


class _Units(Input):
    """Which units: a quantity (lowest serials first, optionally of one project and vintage) or serials."""

    quantity_tco2e: Tonnes | None = None
    project_code: RegistryCode | None = None
    vintage_year: VintageYear | None = None
    serials: SerialRangeIn | None = None

    @model_validator(mode="after")
    def _one_way(self) -> _Units:
        if (self.quantity_tco2e is None) == (self.serials is None):
            raise ValueError("give either quantity_tco2e or serials")
        if self.serials is not None and (self.project_code or self.vintage_year):
            raise ValueError("serials already name the project and vintage")
        return self


class TransferIn(_Units):
    """A transfer of active units out of the caller's account."""

    from_account_code: RegistryCode
    to_account_code: RegistryCode


class RetirementIn(_Units):
    """A retirement: units taken out of circulation for good, for a beneficiary and purpose."""

    account_code: RegistryCode
    beneficiary_name: Name
    purpose: LongText


class CancellationIn(_Units):
    """A cancellation by the registry (e.g. a reversal of the sink), with its reason."""

    account_code: RegistryCode
    reason: LongText


class MovementOut(Schema):
    """Serials that moved from one place (account, state) to another."""

    serial: str
    project_code: str
    vintage_year: int
    serial_start: int
    serial_end: int
    quantity_tco2e: int
    from_account_code: str | None
    from_state: str
    to_account_code: str
    to_state: str


class OperationOut(Schema):
    """The journal entry written and what moved."""

    entry_id: int
    retirement_id: int | None = None
    quantity_tco2e: int
    movements: list[MovementOut]


class AuctionIn(Input):
    """A new auction of one lot; the lot goes into escrow at once."""

    auction_code: RegistryCode
    kind: AuctionKind = AuctionKind.ENGLISH
    seller_account_code: RegistryCode
    project_code: RegistryCode
    vintage_year: VintageYear
    quantity_tco2e: Tonnes
    reserve_price_fen: Fen
    min_increment_fen: Fen = 0
    opens_at: AwareDatetime | None = Field(default=None, description="Default: now")
    closes_at: AwareDatetime
    payment_hours: int = Field(default=72, ge=0, le=24 * 90)


class AuctionOut(Schema):
    """An auction's state; sealed bid amounts stay hidden until the close."""

    auction_code: str
    auction_kind: str
    status: str
    project_code: str
    vintage_year: int
    quantity_tco2e: int
    reserve_price_fen: int
    min_increment_fen: int
    opens_at: UtcDateTime
    closes_at: UtcDateTime
    bid_count: int
    highest_bid_fen: int | None
    winner_account_code: str | None
    winning_bid_fen: int | None
    payment_due_at: UtcDateTime | None


class BidIn(Input):
    """A bid for the whole lot."""

    bidder_account_code: RegistryCode
    amount_fen: Fen


class BidOut(Schema):
    """A bid accepted."""

    bid_id: int
    auction_code: str
    bidder_account_code: str
    amount_fen: int


class AllocationOut(Schema):
    """Money allocated to one party [fen]."""

    party_name: str
    amount_fen: int


class BenefitSplitOut(Schema):
    """The split of a settled auction's proceeds; the amounts sum exactly to the winning bid."""

    auction_code: str
    total_fen: int
    allocations: list[AllocationOut]
