"""Identifiers every record is keyed by: credit codes, region codes and industry codes.

Each validator returns the normalised value or raises :class:`~citycarbon.domain.errors.InvalidCode`
with a translatable reason, so imports and forms can tell users exactly what to fix.
"""

from citycarbon.domain.identifiers.industry import Industry, IndustryCatalogue, IndustryLevel
from citycarbon.domain.identifiers.region import Region, RegionCatalogue, RegionLevel
from citycarbon.domain.identifiers.uscc import (
    is_valid_uscc,
    make_uscc,
    uscc_check_character,
    validate_uscc,
)

__all__ = [
    "Industry",
    "IndustryCatalogue",
    "IndustryLevel",
    "Region",
    "RegionCatalogue",
    "RegionLevel",
    "is_valid_uscc",
    "make_uscc",
    "uscc_check_character",
    "validate_uscc",
]
