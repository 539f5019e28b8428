"""Loan pricing on a carbon-efficiency grade: base rate plus the bank's adjustment in basis points.

Banks fold enterprise carbon efficiency (碳效) into credit decisions — carbon-efficiency loans
(碳效贷, mission brief "Green finance"). Each bank configures, per loan product, how many basis
points a grade adds to or takes off its base rate; this module applies that table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from citycarbon.domain.errors import CityCarbonError

MSG_NO_RULE = "Product {product_code} of your bank has no pricing rule for grade {grade}"
MSG_NO_GRADE = "No carbon-efficiency grade is available for organisation {uscc}, so no quote can be made"
MSG_NEGATIVE_RATE = "The adjusted rate would be negative ({rate_bp} bp); check the pricing rules"


class QuoteUnavailable(CityCarbonError):
    """A quote cannot be computed from the data and rules at hand (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced loan rate.

    Parameters
    ----------
    base_rate_bp
        Rate before adjustment [bp], e.g. the loan prime rate.
    adjustment_bp
        The bank's adjustment for the grade [bp]; negative is a discount.
    quoted_rate_bp
        ``base_rate_bp + adjustment_bp`` [bp].

    """

    product_code: str
    grade: str
    base_rate_bp: int
    adjustment_bp: int
    quoted_rate_bp: int


def quote_rate(
    rules: Mapping[str, int], *, product_code: str, grade: str | None, base_rate_bp: int, uscc: str
) -> Quote:
    """Apply a product's grade → adjustment table to a base rate.

    Parameters
    ----------
    rules
        Adjustment [bp] by grade for the product.
    product_code
        The bank's loan product.
    grade
        Carbon-efficiency grade of the enterprise; ``None`` when ratings are unavailable.
    base_rate_bp
        Rate before adjustment [bp].
    uscc
        Credit code of the enterprise, for messages.

    Raises
    ------
    QuoteUnavailable
        Without a grade, without a rule for the grade, or when the result would be negative.

    Examples
    --------
    >>> rules = {"A": -30}
    >>> quote_rate(rules, product_code="tanxiaodai", grade="A", base_rate_bp=345, uscc="X").quoted_rate_bp
    315

    """
    if grade is None:
        raise QuoteUnavailable(MSG_NO_GRADE, uscc=uscc)
    if grade not in rules:
        raise QuoteUnavailable(MSG_NO_RULE, product_code=product_code, grade=grade)
    rate = base_rate_bp + rules[grade]
    if rate < 0:
        raise QuoteUnavailable(MSG_NEGATIVE_RATE, rate_bp=rate)
    return Quote(product_code, grade, base_rate_bp, rules[grade], rate)
