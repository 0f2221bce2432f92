"""Demo plans of action and money: Bandung–Fort Worth and DKI Jakarta–Berlin, with targets linked
to the demo's activities, funded activities (Smart Change co-financed by the EU, as the real
project was) and exchange rates for USD, EUR and IDR.

The rates are rounded demo figures near the market rates of those days, not an official source.
Idempotent: a plan is keyed by its partnership and title; a rate by its pair and day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from kembar.activities.models import Activity
from kembar.partnerships.models import LocalGovernment, Partnership

from . import services
from .models import ExchangeRate, Plan

DEMO_SOURCE = "Demo rates, rounded"
RATES = [
    ("USD", "IDR", "14100", dt.date(2019, 1, 1)),
    ("EUR", "IDR", "16200", dt.date(2019, 1, 1)),
    ("USD", "IDR", "13900", dt.date(2020, 1, 1)),
    ("EUR", "IDR", "15600", dt.date(2020, 1, 1)),
    ("USD", "IDR", "14300", dt.date(2021, 1, 1)),
    ("EUR", "IDR", "17200", dt.date(2021, 1, 1)),
    ("USD", "IDR", "15600", dt.date(2023, 1, 1)),
    ("EUR", "IDR", "16700", dt.date(2023, 1, 1)),
    ("USD", "IDR", "16300", dt.date(2025, 1, 1)),
    ("EUR", "IDR", "16900", dt.date(2025, 1, 1)),
    ("USD", "IDR", "16700", dt.date(2026, 1, 1)),
    ("EUR", "IDR", "19400", dt.date(2026, 1, 1)),
    ("EUR", "USD", "1.16", dt.date(2026, 1, 1)),
]


def _pair(a: LocalGovernment, b: LocalGovernment) -> Partnership | None:
    return Partnership.objects.filter(Q(government_a=a, government_b=b) | Q(government_a=b, government_b=a)).first()


def _activity(partnership: Partnership, title: str) -> Activity | None:
    return Activity.objects.filter(partnership=partnership, title=title).first()


def _line(admin, record, side, **data) -> None:
    if record is None:
        return
    services.add_line(admin, record, side=side, **data)


def load(governments: dict[str, LocalGovernment]) -> dict[str, int]:
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    created = {"plans": 0, "exchange rates": 0}
    for currency, quote, rate, day in RATES:
        _row, made = ExchangeRate.objects.get_or_create(
            currency=currency, quote=quote, valid_from=day, defaults={"rate": Decimal(rate), "source": DEMO_SOURCE}
        )
        created["exchange rates"] += made
    bandung, fort_worth = governments["bandung"], governments["fort_worth"]
    jakarta, berlin = governments["jakarta"], governments["berlin"]
    for build, a, b in ((_bandung_fort_worth, bandung, fort_worth), (_jakarta_berlin, jakarta, berlin)):
        partnership = _pair(a, b)
        if partnership is not None and not Plan.objects.filter(partnership=partnership).exists():
            build(admin, partnership, a, b)
            created["plans"] += 1
    return created


def _bandung_fort_worth(admin, p: Partnership, bandung, fort_worth) -> None:
    plan = services.create_plan(
        admin,
        p,
        title="Plan of Action Bandung – Fort Worth 2020–2027",
        first_year=2020,
        last_year=2027,
        currency="IDR",
        summary="Demo plan: education exchange kept alive through the pandemic, then smart-city cooperation.",
    )
    education = services.add_objective(
        admin,
        plan,
        side=bandung,
        title="Keep the education exchange alive",
        unit_a="Bagian Kerja Sama, Dinas Pendidikan Kota Bandung",
        unit_b="Fort Worth Sister Cities International",
    )
    held = services.add_target(
        admin,
        education,
        title="Exchange meetings held",
        indicator="activities_held",
        target_value=Decimal(3),
        unit="meetings",
        sdg_target="4",
    )
    people = services.add_target(
        admin,
        education,
        title="Students and officers taking part",
        indicator="participants",
        target_value=Decimal(60),
        unit="people",
        sdg_target="4",
    )
    smart = services.add_objective(
        admin,
        plan,
        side=fort_worth,
        title="Share smart-city practice",
        unit_a="Bandung Command Center (Diskominfo)",
        unit_b="Transportation and Public Works, City of Fort Worth",
    )
    outcomes = services.add_target(
        admin,
        smart,
        title="Smart-city exchanges with recorded outcomes",
        indicator="outcomes",
        target_value=Decimal(2),
        unit="exchanges",
        sdg_target="11.2",
    )
    meeting = _activity(p, "Sister-city meeting Bandung – Fort Worth")
    visit = _activity(p, "Virtual visit of the Bandung Command Center")
    for target, activity in ((held, meeting), (people, meeting), (outcomes, visit)):
        if activity is not None:
            services.link(admin, target, activity=activity)
    services.add_planned(
        admin, education, year=2026, title="Online classroom exchange, 4 schools", side=bandung, unit="Dinas Pendidikan"
    )
    services.add_planned(
        admin,
        smart,
        year=2027,
        title="Traffic engineers' study visit to Bandung",
        side=fort_worth,
        unit="Transportation and Public Works",
    )
    services.add_line(
        admin,
        plan,
        side=bandung,
        funder="apbd",
        amount=Decimal("150000000"),
        currency="IDR",
        on=dt.date(2026, 1, 2),
        note="Exchange programme 2026",
    )
    services.add_line(
        admin,
        plan,
        side=fort_worth,
        funder="partner_city",
        amount=Decimal("12000"),
        currency="USD",
        on=dt.date(2026, 1, 2),
        note="Sister Cities grant",
    )
    _line(
        admin,
        meeting,
        bandung,
        kind="spent",
        funder="apbd",
        amount=Decimal("4500000"),
        currency="IDR",
        on=dt.date(2020, 9, 29),
        note="Interpreting and video link",
    )
    _line(
        admin,
        meeting,
        fort_worth,
        kind="spent",
        funder="foundation",
        funder_name="Sister Cities International",
        amount=Decimal("800"),
        currency="USD",
        on=dt.date(2020, 9, 29),
    )
    _line(
        admin,
        visit,
        bandung,
        kind="budget",
        funder="apbd",
        amount=Decimal("12000000"),
        currency="IDR",
        on=dt.date(2026, 1, 2),
    )


def _jakarta_berlin(admin, p: Partnership, jakarta, berlin) -> None:
    plan = services.create_plan(
        admin,
        p,
        title="Smart-city cooperation Jakarta – Berlin 2019–2026",
        first_year=2019,
        last_year=2026,
        currency="EUR",
        summary="Demo plan around the real Smart Change project (EU Partnerships for Sustainable Cities).",
    )
    digital = services.add_objective(
        admin,
        plan,
        side=jakarta,
        title="A more digital city administration",
        unit_a="Jakarta Smart City (Diskominfotik)",
        unit_b="Senatskanzlei Berlin, Referat Internationales",
    )
    exchanges = services.add_target(
        admin,
        digital,
        title="Smart Change exchanges held",
        indicator="activities_held",
        target_value=Decimal(4),
        unit="exchanges",
        sdg_target="11.3",
    )
    learned = services.add_target(
        admin,
        digital,
        title="Exchanges with recorded outcomes",
        indicator="outcomes",
        target_value=Decimal(3),
        unit="exchanges",
        sdg_target="16",
    )
    for title in (
        "Smart Change: urban governance and innovation in Jakarta",
        "Smart Change workshop: open data for city services",
        "Smart Change: online knowledge sharing on the Smart City Action Plan",
        "The Good Idea Jam: 25 years of Jakarta–Berlin",
    ):
        activity = _activity(p, title)
        if activity is not None:
            services.link(admin, exchanges, activity=activity)
            services.link(admin, learned, activity=activity)
    expert = services.add_objective(
        admin, plan, side=berlin, title="Expertise inside City Hall", unit_b="Senatskanzlei Berlin"
    )
    services.add_target(
        admin,
        expert,
        title="Expert dispatches completed",
        indicator="activities_held",
        target_value=Decimal(1),
        unit="dispatches",
        sdg_target="17",
    )
    dispatch = _activity(p, "Integrated expert from Berlin at Jakarta City Hall")
    if dispatch is not None:
        services.link(admin, expert.targets.get(), activity=dispatch)
    smart_change = _activity(p, "Smart Change: urban governance and innovation in Jakarta")
    # The EU co-finances Smart Change; both cities add their own share.
    _line(
        admin,
        smart_change,
        berlin,
        kind="budget",
        funder="eu",
        funder_name="Partnerships for Sustainable Cities",
        amount=Decimal("1000000"),
        currency="EUR",
        on=dt.date(2019, 12, 1),
        note="EU grant, about 80%",
    )
    _line(
        admin,
        smart_change,
        berlin,
        kind="budget",
        funder="partner_city",
        amount=Decimal("150000"),
        currency="EUR",
        on=dt.date(2019, 12, 1),
        note="Land Berlin's share",
    )
    _line(
        admin,
        smart_change,
        jakarta,
        kind="budget",
        funder="apbd",
        amount=Decimal("1700000000"),
        currency="IDR",
        on=dt.date(2020, 1, 15),
        note="DKI Jakarta's share",
    )
    _line(
        admin,
        smart_change,
        berlin,
        kind="spent",
        funder="eu",
        funder_name="Partnerships for Sustainable Cities",
        amount=Decimal("420000"),
        currency="EUR",
        on=dt.date(2021, 6, 30),
    )
    _line(
        admin,
        dispatch,
        berlin,
        kind="budget",
        funder="other",
        funder_name="BMZ (German development ministry)",
        amount=Decimal("300000"),
        currency="EUR",
        on=dt.date(2019, 2, 1),
    )
    services.add_line(
        admin,
        plan,
        side=jakarta,
        funder="apbd",
        amount=Decimal("2500000000"),
        currency="IDR",
        on=dt.date(2025, 1, 2),
        note="Smart-city cooperation 2025–2026",
    )
