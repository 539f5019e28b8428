"""The bank pages: enterprises that consented, their carbon profile, and a loan quote.

Every read goes through :mod:`citycarbon.services.green_finance`, which refuses a bank without
a live consent and audits each profile it shows, so these pages add no access rule of their own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from citycarbon.api.deps import CreditCode, DatabaseUrl, ProfileReader, QuoteCreator
from citycarbon.domain.finance.pricing import Quote, QuoteUnavailable
from citycarbon.i18n import translator
from citycarbon.services.consents import list_consents
from citycarbon.services.green_finance import carbon_profile
from citycarbon.services.pricing_rules import list_rules, quote
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/bank")
def bank(request: Request, caller: QuoteCreator, url: DatabaseUrl) -> Response:
    """Consents held by the caller's bank: who may be looked at, for what, until when."""
    consents = [c for c in list_consents(url, caller) if c.is_live]
    return render(request, "bank.html", caller.principal, consents=consents)


def _profile_page(
    request: Request, caller: ProfileReader, url: str, uscc: str, priced: Quote | None, error: str | None
) -> Response:
    profile = carbon_profile(url, caller, uscc)
    products = (
        sorted({r.product_code for r in list_rules(url, caller)}) if caller.principal.organisation_id else []
    )
    return render(
        request,
        "profile.html",
        caller.principal,
        profile=profile,
        products=products,
        quote=priced,
        error=error,
    )


@router.get("/bank/profiles/{uscc}")
def profile(request: Request, uscc: CreditCode, caller: QuoteCreator, url: DatabaseUrl) -> Response:
    """A consenting enterprise's yearly emissions, intensity and grade, with the quote form."""
    return _profile_page(request, caller, url, uscc, None, None)


@router.post("/bank/profiles/{uscc}/quote")
def price_loan(
    request: Request,
    uscc: CreditCode,
    caller: QuoteCreator,
    url: DatabaseUrl,
    product_code: Annotated[str, Form(pattern=r"^[A-Za-z0-9_.-]{1,48}$")],
    base_rate_bp: Annotated[int, Form(ge=0, le=10_000)],
) -> Response:
    """Price a loan with the bank's rules for the enterprise's grade, shown on the profile."""
    try:
        priced = quote(url, caller, uscc=uscc, product_code=product_code, base_rate_bp=base_rate_bp)
    except QuoteUnavailable as refusal:
        message = refusal.render(translator(page_locale(request)))
        return _profile_page(request, caller, url, uscc, None, message)
    return _profile_page(request, caller, url, uscc, priced, None)
