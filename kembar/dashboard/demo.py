"""Demo data: real cities from the gazetteer, well-known real partnerships, demo offices and users.

The partnerships are real (dates only where well documented); one "proposed" partnership is
marked as a demo in its notes to show what a non-public exploration looks like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from kembar.accounts.models import Membership, Organisation
from kembar.activities import demo as activities_demo
from kembar.agreements import demo as agreements_demo
from kembar.gazetteer.models import Place, PlaceTrait
from kembar.gazetteer.services import load_gazetteer
from kembar.gazetteer.traits import load_traits
from kembar.grants import demo as grants_demo
from kembar.insights.health import demo as insights_demo
from kembar.insights.oversight import demo as oversight_demo
from kembar.matching import demo as matching_demo
from kembar.meetings import demo as meetings_demo
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import government_for_place
from kembar.partnerships.vocab import Kind, Level, Status
from kembar.plans import demo as plans_demo
from kembar.proposals import demo as proposals_demo
from kembar.solutions.demo import load_demo as load_solutions_demo

DEMO_PASSWORD = "kembar-demo"


@dataclass(frozen=True)
class Gov:
    place: str  # a GeoNames city name, or an ISO 3166-2 code
    country: str
    name: str
    level: str = Level.CITY
    traits: tuple[str, ...] = ()
    sdgs: tuple[int, ...] = ()


GOVERNMENTS = {
    "bandung": Gov("Bandung", "ID", "Kota Bandung", traits=("university", "creative", "industrial"), sdgs=(4, 9, 11)),
    "surabaya": Gov("Surabaya", "ID", "Kota Surabaya", traits=("port", "coastal", "industrial"), sdgs=(6, 11, 13)),
    "jakarta": Gov("ID-JK", "ID", "Provinsi DKI Jakarta", Level.PROVINCE, ("capital", "port", "coastal"), (9, 11, 13)),
    "diy": Gov(
        "ID-YO",
        "ID",
        "Daerah Istimewa Yogyakarta",
        Level.SPECIAL_REGION,
        ("former_capital", "heritage", "university", "tourism"),
        (4, 8, 11),
    ),
    "fort_worth": Gov("Fort Worth", "US", "City of Fort Worth"),
    "braunschweig": Gov("Braunschweig", "DE", "Stadt Braunschweig", traits=("university", "industrial")),
    "liverpool": Gov("Liverpool", "GB", "Liverpool City Council", traits=("port", "coastal", "heritage", "university")),
    "busan": Gov("Busan", "KR", "Busan Metropolitan City", traits=("port", "coastal", "industrial")),
    "seattle": Gov("Seattle", "US", "City of Seattle", traits=("port", "coastal", "university")),
    "kochi": Gov("Kochi", "JP", "Kochi City", traits=("port", "coastal")),
    "kyoto_pref": Gov(
        "JP-26", "JP", "Kyoto Prefecture", Level.PREFECTURE, ("former_capital", "heritage", "university", "tourism")
    ),
    "berlin": Gov("DE-BE", "DE", "Land Berlin", Level.STATE, ("capital", "university", "creative")),
    "suwon": Gov("Suwon", "KR", "Suwon Special City", traits=("heritage", "industrial")),
}


@dataclass(frozen=True)
class Tie:
    a: str  # GOVERNMENTS keys
    b: str
    kind: str
    since: int | None  # the year it began, where well documented (recorded as 1 January)
    fields: tuple[str, ...]
    basis: str = ""
    public: bool = True  # active and public; otherwise proposed, seen by the two offices and oversight
    notes: str = ""


PARTNERSHIPS = [
    Tie(
        "bandung",
        "braunschweig",
        Kind.SISTER_CITY,
        1960,
        ("culture", "education", "science"),
        "The oldest sister-city tie of an Indonesian city; both have technical universities.",
    ),
    Tie("bandung", "fort_worth", Kind.SISTER_CITY, 1990, ("education", "culture", "trade")),
    Tie("surabaya", "seattle", Kind.SISTER_CITY, 1992, ("trade", "education", "environment"), "Port cities."),
    Tie("surabaya", "busan", Kind.SISTER_CITY, 1994, ("trade", "industry", "culture"), "Port cities."),
    Tie("surabaya", "kochi", Kind.SISTER_CITY, 1997, ("environment", "education")),
    Tie("surabaya", "liverpool", Kind.COOPERATION, None, ("trade", "culture", "smart_city"), "Both are port cities."),
    Tie(
        "diy",
        "kyoto_pref",
        Kind.SISTER_PROVINCE,
        1985,
        ("culture", "education", "tourism"),
        "Both are former capitals and centres of culture and learning.",
    ),
    Tie("jakarta", "berlin", Kind.SISTER_CITY, 1994, ("smart_city", "environment", "governance"), "Capital cities."),
    Tie(
        "bandung",
        "suwon",
        Kind.FRIENDSHIP,
        None,
        ("smart_city", "education"),
        public=False,
        notes="Demo data: an exploration in progress, not a real agreement. Visible only to the two offices and oversight.",
    ),
]

USERS = [
    # username, organisation key (government key or "oversight"), role
    ("bandung", "bandung", Membership.Role.ADMIN),  # also manages the office (offices.md)
    ("bandung-viewer", "bandung", Membership.Role.VIEWER),
    ("surabaya", "surabaya", Membership.Role.EDITOR),
    ("jakarta", "jakarta", Membership.Role.EDITOR),
    ("yogyakarta", "diy", Membership.Role.EDITOR),
    # The national chain: each body's editors act on its own procedure stages.
    ("kemendagri", "oversight", Membership.Role.EDITOR),
    ("kemlu", "kemlu", Membership.Role.EDITOR),
    ("jabar", "jabar", Membership.Role.EDITOR),
]
ORGANISATION_NAMES = {
    "bandung": "Bagian Kerja Sama Kota Bandung",
    "surabaya": "Bagian Kerja Sama Kota Surabaya",
    "jakarta": "Biro Kerja Sama DKI Jakarta",
    "diy": "Biro Kerja Sama DIY",
    "oversight": "Kemendagri — Pusat Fasilitasi Kerja Sama",
    "kemlu": "Kemlu — Direktorat Fasilitasi Kerja Sama Daerah",
    "jabar": "Biro Pemerintahan dan Kerja Sama Provinsi Jawa Barat",
}
# The oversight bodies: which party each is and what it covers (a province by its ISO code).
OVERSIGHT = {
    "oversight": {"party": "kemendagri", "country_code": "ID"},
    "kemlu": {"party": "kemlu", "country_code": "ID"},
    "jabar": {"party": "province", "country_code": "ID", "province": "ID-JB"},
}


def _place(gov: Gov) -> Place:
    if "-" in gov.place:
        return Place.objects.get(subdivision_code=gov.place)
    place = (
        Place.objects.filter(kind=Place.Kind.CITY, name=gov.place, country_code=gov.country)
        .order_by("-population")
        .first()
    )
    if place is None:
        raise LookupError(f"{gov.place}, {gov.country} is not in the gazetteer; run `kembar load-gazetteer`.")
    return place


def load_demo(stdout=None) -> dict:
    """Create the demo (idempotent: existing rows are kept, missing ones added)."""
    needed = sorted({g.country for g in GOVERNMENTS.values()})
    missing = [c for c in needed if not Place.objects.filter(country_code=c).exists()]
    if missing:
        load_gazetteer(countries=missing, progress=False)
    if missing or not PlaceTrait.objects.exists():
        load_traits()
    created = {"governments": 0, "partnerships": 0, "organisations": 0, "users": 0}
    with transaction.atomic():
        governments: dict[str, LocalGovernment] = {}
        for key, gov in GOVERNMENTS.items():
            place = _place(gov)
            government = LocalGovernment.objects.filter(place=place, level=gov.level).first()
            if government is None:
                government = government_for_place(place, gov.level)
                government.name = gov.name
                government.traits = list(gov.traits)
                government.sdg_priorities = list(gov.sdgs)
                government.save()
                created["governments"] += 1
            governments[key] = government
        demo_partnerships = {}
        for tie in PARTNERSHIPS:
            ga, gb = sorted([governments[tie.a], governments[tie.b]], key=lambda g: g.pk)
            partnership, made = Partnership.objects.get_or_create(
                government_a=ga,
                government_b=gb,
                defaults={
                    "kind": tie.kind,
                    "since": dt.date(tie.since, 1, 1) if tie.since else None,
                    "basis": tie.basis,
                    "public": tie.public,
                    "notes": tie.notes,
                    "status": Status.ACTIVE if tie.public else Status.PROPOSED,
                },
            )
            demo_partnerships[(tie.a, tie.b)] = partnership
            if made:
                partnership.fields.set(tie.fields)
                created["partnerships"] += 1
        organisations = {}
        for key, name in ORGANISATION_NAMES.items():
            if key in OVERSIGHT:
                scope = dict(OVERSIGHT[key])
                if "province" in scope:
                    scope["province"] = Place.objects.get(subdivision_code=scope["province"])
                defaults = {"kind": Organisation.Kind.OVERSIGHT, **scope}
            else:
                defaults = {"kind": Organisation.Kind.GOVERNMENT, "local_government": governments[key]}
            organisations[key], made = Organisation.objects.get_or_create(name=name, defaults=defaults)
            created["organisations"] += made
            if key in OVERSIGHT and not organisations[key].party:  # a demo loaded before scopes
                Organisation.objects.filter(pk=organisations[key].pk).update(
                    **{k: v for k, v in defaults.items() if k != "kind"}
                )
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
            created["users"] += 1
        for username, org_key, role in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, password=DEMO_PASSWORD)
                created["users"] += 1
            Membership.objects.get_or_create(user=user, organisation=organisations[org_key], defaults={"role": role})
        agreements_demo.load(User.objects.get(username="admin"), demo_partnerships)
        created.update({k: n for k, n in activities_demo.load(governments).items() if n})
        meetings_demo.load(governments)
        load_solutions_demo(governments)
        created.update({k: n for k, n in plans_demo.load(governments).items() if n})
        created.update({k: n for k, n in grants_demo.load(governments).items() if n})
        insights_demo.load(governments)
        if listed := oversight_demo.load(governments):
            created["imported links"] = listed
        if requests := matching_demo.load(governments):
            created["partner requests"] = requests
        if proposals := proposals_demo.load(governments):
            created["proposals"] = proposals
    return created
