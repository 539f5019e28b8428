"""Errors of the carbon-sink registry, each with a translatable English message template.

Units issued from a sink are money: an operation that would create, lose or double-spend a
unit is refused with one of these errors before anything is written.
"""

from __future__ import annotations

from citycarbon.domain.errors import CityCarbonError

MSG_BAD_TRANSITION = "Project {project} cannot go from {current} to {target}"
MSG_NOT_ENOUGH_UNITS = "Account {account} holds {held} unit(s) that match, fewer than the {wanted} asked for"
MSG_BAD_QUANTITY = "Quantity must be a whole number of tonnes above zero, not {quantity}"
MSG_NOT_ADJACENT = "Blocks {first} and {second} are not adjacent in the same project and vintage"
MSG_SPLIT_OUTSIDE = "Cannot split {block} after {quantity} unit(s): the block holds {size}"
MSG_UNKNOWN_SPECIES = "No {methodology} parameters for species '{species}' in {factor_set}"
MSG_BAD_SHARES = "Benefit shares need at least one participant with a positive weight"
MSG_BAD_PERCENT = "The participants' share must be between 0 and 100 percent, not {percent}"
MSG_BID_TOO_LOW = "A bid of {amount} fen is below the minimum of {minimum} fen for auction {auction}"
MSG_AUCTION_CLOSED = "Auction {auction} is closed for bids since {closes_at}"
MSG_AUCTION_NOT_OPEN = "Auction {auction} opens at {opens_at}"
MSG_ALREADY_BID = "Bidder {bidder} has already placed a sealed bid in auction {auction}"
MSG_NOT_APPROVED = "Account {account} is not an approved bidder"
MSG_BAD_SERIALS = "A serial range needs 1 <= start <= end, not {start}–{end}"
MSG_SERIALS_NOT_HELD = "Account {account} holds only {held} of the serials {serial} as active units"


class RegistryError(CityCarbonError):
    """A registry operation that breaks a rule (state machine, balances, auction terms)."""


class InsufficientUnits(RegistryError):
    """The source account does not hold enough units in the required state."""
