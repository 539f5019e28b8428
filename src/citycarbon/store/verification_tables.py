"""Tables of third-party verification: a verifier's sign-off of one period's result.

A sign-off names the exact ``emission_result`` row the verifier saw. Results are never
updated in place (a recalculation supersedes the row and adds a new one), so a sign-off keeps
applying to the figures that were checked and never silently covers newer ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now


class VerificationSignOff(Base):
    """Who signed off which result of which organisation and period, when, with what note."""

    __tablename__ = "verification_sign_off"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    result_id: Mapped[int] = mapped_column(ForeignKey("emission_result.id"), unique=True)
    verifier_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verifier_username: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    note: Mapped[str] = mapped_column(Text, default="")
