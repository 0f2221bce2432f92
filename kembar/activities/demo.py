"""Demo activities that tell the seed's story: Jogja-Japan Week every two years with its 2020
edition postponed, the Bandung–Fort Worth meeting moved online, mask donations, a scholarship call;
and ten years of events around them (`demo_history`), some taken from public sources.

Called from `kembar.dashboard.demo.load_demo` with its governments; idempotent (by title).
Each description says what it is: "Source: …" for an event a public page reports, "Demo data."
for an illustrative one on a real partnership.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from kembar.partnerships.models import LocalGovernment, Partnership

from . import demo_history, services
from .models import Activity, AidShipment, Call

DEMO_NOTE = "Demo data."


def _at(zone: str, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)


def _pair(a: LocalGovernment, b: LocalGovernment) -> Partnership:
    x, y = sorted([a, b], key=lambda g: g.pk)
    return Partnership.objects.get(government_a=x, government_b=y)


def _new_activity(admin, partnership: Partnership, **fields) -> Activity | None:
    """The activity, created as `fields` say unless the partnership has one of its title (then None)."""
    if Activity.objects.filter(partnership=partnership, title=fields["title"]).exists():
        return None
    return services.create_activity(admin, partnership, check_permission=False, **fields)


def load(governments: dict[str, LocalGovernment]) -> dict[str, int]:
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    created = {"activities": 0, "calls": 0, "aid shipments": 0}
    created["activities"] += demo_history.load(governments, admin)
    diy, kyoto = governments["diy"], governments["kyoto_pref"]
    bandung, fort_worth = governments["bandung"], governments["fort_worth"]
    surabaya, busan = governments["surabaya"], governments["busan"]
    jjw_pair, bfw, sb = _pair(diy, kyoto), _pair(bandung, fort_worth), _pair(surabaya, busan)

    jjw = _new_activity(
        admin,
        jjw_pair,
        title="Jogja-Japan Week",
        type="cultural_event",
        field="culture",
        host=diy,
        start=_at("Asia/Jakarta", 2016, 11, 12, 10, 0),
        end=_at("Asia/Jakarta", 2016, 11, 12, 21, 0),
        recurrence="FREQ=YEARLY;INTERVAL=2",
        location="Yogyakarta",
        status="confirmed",
        public=True,
        sdg_targets=["4", "11.4", "17"],
        description="Japanese culture in Yogyakarta: performances, food, language and study fairs. "
        "Demo data: a two-yearly series for the demo; the real festival, organised by a Yogyakarta "
        "community, was held in 2012, 2015 and, after a pause the pandemic lengthened, in September 2023 "
        "(see “Jogja Japan Week 2023”).",
    )
    if jjw:
        services.postpone(
            admin,
            jjw,
            reason="COVID-19 pandemic: large gatherings were not allowed.",
            occurrence=_at("Asia/Jakarta", 2020, 11, 12, 10, 0),
        )
        created["activities"] += 1
    meeting = _new_activity(
        admin,
        bfw,
        title="Sister-city meeting Bandung – Fort Worth",
        type="work_visit",
        field="education",
        host=fort_worth,
        start=_at("America/Chicago", 2020, 9, 29, 8, 0),
        end=_at("America/Chicago", 2020, 9, 29, 9, 30),
        status="held",
        public=True,
        participants_a=6,
        participants_b=5,
        sdg_targets=["4", "17"],
        description="A virtual sister-city meeting on COVID-19, education and climate change, initiated by "
        "the Indonesian Consulate General in Houston. Source: rm.id, “Tak Terhalang Pandemi Covid-19, "
        "Pertemuan Sister City Bandung dan Fort Worth, Texas Digelar”, 3 October 2020 (held Tuesday "
        "29 September 2020; the time of day, and its first plan as a work visit, are the demo's).",
        outcomes="Student exchange to resume online.",
    )
    if meeting:
        services.convert(admin, meeting, modality="virtual", reason="Travel restrictions during COVID-19.")
        created["activities"] += 1
    if _coming_activity(admin, bfw, bandung):
        created["activities"] += 1
    for pair, donor, title, items, dates in (
        (
            sb,
            busan,
            "Surgical masks for Surabaya",
            [("surgical masks", 50000, "pieces")],
            (dt.date(2020, 4, 2), dt.date(2020, 4, 9), dt.date(2020, 4, 20)),
        ),
        (
            jjw_pair,
            kyoto,
            "Masks and thermometers for Yogyakarta",
            [("surgical masks", 20000, "pieces"), ("infrared thermometers", 100, "units")],
            (dt.date(2020, 5, 1), dt.date(2020, 5, 12), None),
        ),
    ):
        if AidShipment.objects.filter(partnership=pair, title=title).exists():
            continue
        shipment = AidShipment(
            partnership=pair,
            title=title,
            donor=donor,
            recipient=pair.other(donor),
            status="received" if dates[2] else "shipped",
            pledged_on=dates[0],
            shipped_on=dates[1],
            received_on=dates[2],
            notes=DEMO_NOTE,
        )
        shipment.save()
        shipment.items.bulk_create(
            [shipment.items.model(shipment=shipment, name=n, quantity=q, unit=u) for n, q, u in items]
        )
        created["aid shipments"] += 1
    if not Call.objects.filter(
        partnership=jjw_pair, title="Kyoto Prefecture scholarship for Yogyakarta students"
    ).exists():
        today = timezone.now().date()
        services.create_call(
            admin,
            jjw_pair,
            title="Kyoto Prefecture scholarship for Yogyakarta students",
            kind="scholarship",
            field="education",
            host=kyoto,
            quota=3,
            opens=today - dt.timedelta(days=10),
            deadline=today + dt.timedelta(days=60),
            status="open",
            eligibility="Residents of DIY aged 18–30 enrolled at a university in Yogyakarta. " + DEMO_NOTE,
            how_to_apply="kerjasama@jogjaprov.go.id",
        )
        created["calls"] += 1
    return created


COMING_TITLE = "Virtual visit of the Bandung Command Center"


def _coming_activity(admin, partnership: Partnership, bandung: LocalGovernment) -> Activity | None:
    """An activity eight days after the day the demo is loaded (20:00 in Bandung, the morning in
    Fort Worth), so that a fresh demo's dashboard has a coming week; kept when loaded again."""
    day = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")).date() + dt.timedelta(days=8)
    return _new_activity(
        admin,
        partnership,
        title=COMING_TITLE,
        type="work_visit",
        field="smart_city",
        host=bandung,
        modality="virtual",
        start=_at("Asia/Jakarta", day.year, day.month, day.day, 20, 0),
        end=_at("Asia/Jakarta", day.year, day.month, day.day, 21, 30),
        status="confirmed",
        public=True,
        sdg_targets=["11", "17"],
        description="Fort Worth's transportation staff follow the Command Center's traffic operations live, "
        "as the partners agreed at their smart city exchange. "
        + DEMO_NOTE
        + " Set eight days after the demo was loaded.",
    )
