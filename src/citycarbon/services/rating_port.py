"""The port through which the carbon-efficiency rating service feeds grades into green finance.

Green-finance profiles and loan quotes need an enterprise's carbon-efficiency grade and its
trend, which the rating context (``citycarbon.services.rating``) computes. That context may not
be installed, so green finance depends only on this small protocol: when the module
``citycarbon.services.rating`` exists and defines a function ``profile_rating(session,
organisation_id)`` returning an object with ``grade``, ``trend`` and ``period_code``
attributes (or ``None`` when the organisation has no grade), profiles show the grade and quotes
price on it; otherwise profiles omit the grade and quotes explain that none is available.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Protocol

from sqlalchemy.orm import Session

RATING_MODULE = "citycarbon.services.rating"
RATING_FUNCTION = "profile_rating"


class RatingSummary(Protocol):
    """What a profile shows of a rating (attributes of the object the rating service returns)."""

    @property
    def grade(self) -> str:
        """Carbon-efficiency grade, e.g. ``A`` … ``E``."""
        ...

    @property
    def trend(self) -> str | None:
        """Direction against the previous rating, e.g. ``improving``; ``None`` for a first rating."""
        ...

    @property
    def period_code(self) -> str:
        """Period the grade was given for, e.g. ``2024``."""
        ...


class RatingSource(Protocol):
    """The function the rating service provides: the latest grade of one organisation."""

    def __call__(self, session: Session, organisation_id: int) -> RatingSummary | None:
        """Return the organisation's latest grade, or ``None`` when it has none."""
        ...


_override: list[RatingSource | None] = []


def use_rating_source(source: RatingSource | None) -> None:
    """Replace discovery with ``source`` (``None`` = no ratings); for tests and embedding."""
    _override[:] = [source]


def reset_rating_source() -> None:
    """Return to discovering ``citycarbon.services.rating`` at call time."""
    _override.clear()


def find_rating_source() -> RatingSource | None:
    """The rating service's ``profile_rating`` if that module is installed, else ``None``.

    Looked up at call time (``sys.modules`` makes repeat look-ups cheap once it is imported),
    so installing the rating context needs no change here.
    """
    if _override:
        return _override[0]
    if RATING_MODULE not in sys.modules and importlib.util.find_spec(RATING_MODULE) is None:
        return None
    module = importlib.import_module(RATING_MODULE)
    source = getattr(module, RATING_FUNCTION, None)
    return source if callable(source) else None
