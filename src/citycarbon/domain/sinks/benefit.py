"""Benefit sharing: split auction proceeds by the project's rules without creating or losing a fen.

The split uses the largest-remainder (Hamilton) method on exact fractions: every party first
gets the whole fen below its exact share, then the fen left over go one each to the parties
with the largest fractional remainders. The parts therefore always sum to the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from citycarbon.domain.sinks.errors import MSG_BAD_PERCENT, MSG_BAD_SHARES, RegistryError
from citycarbon.domain.sinks.project import Participant

FUND_PARTY = "benefit fund"


@dataclass(frozen=True, slots=True)
class Allocation:
    """Money allocated to one party [fen]."""

    party_name: str
    amount_fen: int


def split_largest_remainder(total_fen: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Split ``total_fen`` in proportion to ``weights``; the parts sum exactly to ``total_fen``.

    Ties between equal remainders go to the party named first in ``weights``, so the result is
    reproducible.

    Examples
    --------
    >>> split_largest_remainder(100, {"a": Fraction(1), "b": Fraction(1), "c": Fraction(1)})
    {'a': 34, 'b': 33, 'c': 33}

    """
    weight_sum = sum(weights.values(), Fraction(0))
    if weight_sum <= 0 or any(w < 0 for w in weights.values()):
        raise RegistryError(MSG_BAD_SHARES)
    exact = {name: total_fen * weight / weight_sum for name, weight in weights.items()}
    parts = {name: int(value // 1) for name, value in exact.items()}
    leftover = total_fen - sum(parts.values())
    order = list(weights)
    by_remainder = sorted(order, key=lambda name: (-(exact[name] - parts[name]), order.index(name)))
    for name in by_remainder[:leftover]:
        parts[name] += 1
    return parts


def split_proceeds(
    total_fen: int, participants_percent: Fraction, participants: Sequence[Participant]
) -> list[Allocation]:
    """Split settlement proceeds between participants (pro rata) and the project's fund.

    Parameters
    ----------
    total_fen
        Proceeds received [fen].
    participants_percent
        Share of the proceeds returned to participants [%], e.g. 60 in the Zhejiang mussel sale.
    participants
        Households (or bodies) with the weight of their contribution.

    Returns
    -------
    list of Allocation
        One allocation per participant, then the fund's; the amounts sum to ``total_fen``.

    References
    ----------
    Zhejiang's first blue-carbon sale (31 Oct 2023): 60% of the proceeds returned to the
    mussel farmers through a benefit fund (mission brief, "Carbon sinks and trading").

    """
    if not 0 <= participants_percent <= 100:
        raise RegistryError(MSG_BAD_PERCENT, percent=str(participants_percent))
    if not participants and participants_percent > 0:
        raise RegistryError(MSG_BAD_SHARES)
    weight_sum = sum((Fraction(str(p.share_weight)) for p in participants), Fraction(0))
    share = participants_percent / 100
    weights = {p.participant_name: share * Fraction(str(p.share_weight)) / weight_sum for p in participants}
    weights[FUND_PARTY] = 1 - share
    parts = split_largest_remainder(total_fen, weights)
    return [Allocation(name, amount) for name, amount in parts.items()]
