"""Stored moments as aware UTC datetimes.

Every ``*_at`` column is written in UTC, but SQLite hands timezone-aware columns back naive;
PostgreSQL hands them back aware. One rule, applied wherever a stored moment is read.
"""

from __future__ import annotations

import datetime as dt
from typing import overload


@overload
def as_utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """``moment`` as aware UTC: a naive value is taken to be UTC, an aware one is left as it is.

    Examples
    --------
    >>> as_utc(dt.datetime(2024, 1, 1, 8)).isoformat()
    '2024-01-01T08:00:00+00:00'
    >>> as_utc(None) is None
    True

    """
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
