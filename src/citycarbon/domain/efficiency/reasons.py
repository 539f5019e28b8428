"""Why an organisation is not rated: explicit, translatable reasons instead of a crash or a NaN.

Bad input is normal in a city-wide rating — a firm that has not reported value added, a
period with no output, a registration without an industry code, an industry with three firms.
Each case has one rule and one reason code, stored with the result and shown in summaries, so
nobody has to guess why a firm has no grade. The order below is the order the rules are
applied: the first that matches is the reason recorded.
"""

from __future__ import annotations

from typing import Final

NO_EMISSIONS: Final = "no_emissions"
NO_PRODUCTION: Final = "no_production"
NO_INDUSTRY_CODE: Final = "no_industry_code"
INDUSTRY_CODE_TOO_COARSE: Final = "industry_code_too_coarse"
VALUE_ADDED_MISSING: Final = "value_added_missing"
VALUE_ADDED_NOT_POSITIVE: Final = "value_added_not_positive"
OUTPUT_NOT_POSITIVE: Final = "output_not_positive"
TOO_FEW_PEERS: Final = "too_few_peers"
BENCHMARK_NOT_POSITIVE: Final = "benchmark_not_positive"

#: English message (the gettext key) of each reason, in the order the rules are applied.
MESSAGES: Final[dict[str, str]] = {
    NO_EMISSIONS: "No emission results in the period (nothing accounted yet)",
    NO_PRODUCTION: "No production record in the period",
    NO_INDUSTRY_CODE: "No industry code registered, so there is no benchmark to compare with",
    INDUSTRY_CODE_TOO_COARSE: (
        "Industry code names only a section or is unknown; a benchmark needs a division, group or class"
    ),
    VALUE_ADDED_MISSING: "Value added not reported",
    VALUE_ADDED_NOT_POSITIVE: "Value added is zero or negative, so the intensity is undefined",
    OUTPUT_NOT_POSITIVE: "Output value is zero or negative",
    TOO_FEW_PEERS: "Too few peers at class, group and division level for a benchmark",
    BENCHMARK_NOT_POSITIVE: "The industry benchmark is zero, so K is undefined",
}

#: Reasons that keep an organisation out of the benchmark's peer group as well.
EXCLUDED_FROM_PEERS: Final = frozenset(
    {
        NO_EMISSIONS,
        NO_PRODUCTION,
        NO_INDUSTRY_CODE,
        INDUSTRY_CODE_TOO_COARSE,
        VALUE_ADDED_MISSING,
        VALUE_ADDED_NOT_POSITIVE,
        OUTPUT_NOT_POSITIVE,
    }
)


def describe_reason(code: str) -> str:
    """English message for a reason code (the code itself when unknown, never an error).

    Examples
    --------
    >>> describe_reason("value_added_missing")
    'Value added not reported'

    """
    return MESSAGES.get(code, code)
