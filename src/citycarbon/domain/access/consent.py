"""Consent of an enterprise to a named bank: is it live today, and if not, why not.

Banks price carbon-efficiency loans (碳效贷) on an enterprise's carbon profile only with that
enterprise's consent (issue 4 §3). A refusal must say *why* — never granted, revoked on a
date, or expired — so the bank's officer can ask the enterprise for the right remedy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from citycarbon.domain.access.policy import Forbidden

MSG_NO_CONSENT = "{bank} holds no consent from organisation {uscc} to read its carbon profile"
MSG_REVOKED = "The consent of organisation {uscc} to {bank} was revoked on {revoked_date}"
MSG_EXPIRED = "The consent of organisation {uscc} to {bank} expired after {valid_until_date}"
MSG_PAST_DATE = "A consent must be valid until today or a later date (got {valid_until_date})"


class ConsentRefused(Forbidden):
    """A bank asked for a profile without a live consent (HTTP 403, reason in the message)."""


@dataclass(frozen=True, slots=True)
class ConsentTerms:
    """One consent record, as the decision needs it.

    Parameters
    ----------
    consent_id
        Identifier of the consent record.
    purpose
        Why the bank may look (recorded as the purpose of every audited read).
    valid_until_date
        Last day (inclusive, UTC) on which the consent is live.
    revoked_at
        When the enterprise revoked it; ``None`` while not revoked.

    """

    consent_id: int
    purpose: str
    valid_until_date: dt.date
    revoked_at: dt.datetime | None

    def is_live(self, today: dt.date) -> bool:
        """Whether the consent allows a read on ``today``."""
        return self.revoked_at is None and today <= self.valid_until_date


def live_consent(consents: Iterable[ConsentTerms], today: dt.date, *, uscc: str, bank: str) -> ConsentTerms:
    """Return a live consent, or refuse with the reason of the most recent one.

    Parameters
    ----------
    consents
        Every consent the enterprise gave this bank, in any order.
    today
        The date of the request (UTC).
    uscc
        Credit code of the enterprise, for the message.
    bank
        Name of the bank, for the message.

    Raises
    ------
    ConsentRefused
        When none is live: no consent at all, or why the latest one no longer holds.

    Examples
    --------
    >>> terms = ConsentTerms(1, "loan", dt.date(2026, 1, 31), None)
    >>> live_consent([terms], dt.date(2026, 1, 31), uscc="X", bank="B").consent_id
    1

    """
    ordered = sorted(consents, key=lambda c: c.consent_id)
    for terms in reversed(ordered):
        if terms.is_live(today):
            return terms
    if not ordered:
        raise ConsentRefused(MSG_NO_CONSENT, uscc=uscc, bank=bank)
    latest = ordered[-1]
    if latest.revoked_at is not None:
        raise ConsentRefused(
            MSG_REVOKED, uscc=uscc, bank=bank, revoked_date=latest.revoked_at.date().isoformat()
        )
    raise ConsentRefused(MSG_EXPIRED, uscc=uscc, bank=bank, valid_until_date=latest.valid_until_date)
