"""Demo accounts, one per role, so a newcomer can sign in to the demo city at once.

The passwords are fixed and published in ``docs/how-to/web.md`` on purpose: these accounts only
exist in a demo database, and a password that changed on every start could not be documented.
Calling :func:`ensure_demo_users` again changes nothing, so start-up scripts may call it on every
start. It also registers a demo bank with a loan product and a consent from the demo enterprise,
so the bank pages have something to show.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme
from citycarbon.services.caller import Caller
from citycarbon.services.consents import grant_consent
from citycarbon.services.pricing_rules import PricingRule, replace_product_rules
from citycarbon.services.user_admin import RoleGrant, add_user
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import UserAccount
from citycarbon.store.tables import EmissionResult, Organisation

DEMO_PASSWORD = "citycarbon-demo"
DEMO_BANK_USCC = "91331000MA2BANK01P"
DEMO_PRODUCT = "green-loan"
#: Adjustment [bp] by grade rank (1 best): better grades borrow cheaper.
ADJUSTMENT_BY_RANK = {1: -30, 2: -15, 3: 0, 4: 15, 5: 30}


def _enterprises(url: str) -> list[Organisation]:
    with unit_of_work(url) as session:
        reported = select(EmissionResult.organisation_id).where(EmissionResult.superseded_at.is_(None))
        found = session.execute(
            select(Organisation)
            .where(Organisation.kind == "enterprise", Organisation.id.in_(reported))
            .order_by(Organisation.id)
            .limit(3)
        ).scalars()
        return list(found)


def _bank(url: str, region_code: str) -> int:
    with unit_of_work(url) as session:
        found = session.execute(select(Organisation.id).where(Organisation.uscc == DEMO_BANK_USCC)).scalar()
        if found is not None:
            return found
        bank = Organisation(uscc=DEMO_BANK_USCC, name="台州示例银行", kind="bank", region_code=region_code)
        bank.industry_code = "J66"
        session.add(bank)
        session.flush()
        return bank.id


def _prefecture(url: str) -> str:
    """The prefecture holding most demo organisations: the analyst's region."""
    with unit_of_work(url) as session:
        codes = Counter(session.execute(select(Organisation.region_code)).scalars())
    county = codes.most_common(1)[0][0]
    chain = [county, *(r.code for r in load_region_catalogue().ancestors(county))]
    return chain[-2] if len(chain) >= 2 else county


def ensure_demo_users(url: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts when missing; return ``(username, password, role)`` for each.

    Needs the demo city loaded (:func:`citycarbon.services.demo.load_demo`): the enterprise
    account belongs to its first reporting enterprise, the verifier is assigned three of them.
    """
    firms = _enterprises(url)
    region = _prefecture(url)
    bank_id = _bank(url, region)
    people: dict[str, tuple[Role, int | None, list[RoleGrant]]] = {
        "demo-admin": (Role.ADMIN, None, [RoleGrant(Role.ADMIN)]),
        "demo-analyst": (Role.ANALYST, None, [RoleGrant(Role.ANALYST, region_code=region)]),
        "demo-enterprise": (Role.ENTERPRISE, firms[0].id, [RoleGrant(Role.ENTERPRISE)]),
        "demo-bank": (Role.BANK, bank_id, [RoleGrant(Role.BANK)]),
        "demo-verifier": (
            Role.VERIFIER,
            None,
            [RoleGrant(Role.VERIFIER, organisation_id=f.id) for f in firms],
        ),
    }
    created: dict[str, int] = {}
    with unit_of_work(url) as session:
        for name, (_, org, grants) in people.items():
            if session.execute(select(UserAccount.id).where(UserAccount.username == name)).first():
                continue
            user = add_user(
                session,
                username=name,
                password=DEMO_PASSWORD,
                display_name=name,
                organisation_id=org,
                roles=grants,
            )
            created[name] = user.id
    if "demo-bank" in created:
        bank = Caller(Principal(created["demo-bank"], "demo-bank", bank_id, frozenset({Role.BANK})))
        rules = [
            PricingRule(DEMO_PRODUCT, band.code, ADJUSTMENT_BY_RANK.get(band.rank, 0))
            for band in load_grading_scheme().ranks
        ]
        replace_product_rules(url, bank, DEMO_PRODUCT, rules)
    if "demo-enterprise" in created:
        firm = Caller(
            Principal(
                created["demo-enterprise"], "demo-enterprise", firms[0].id, frozenset({Role.ENTERPRISE})
            )
        )
        until = dt.date.today() + dt.timedelta(days=365)
        grant_consent(url, firm, bank_uscc=DEMO_BANK_USCC, purpose="贷款审批", valid_until_date=until)
    return [(name, DEMO_PASSWORD, role.value) for name, (role, _, _) in people.items()]
