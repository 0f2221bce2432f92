"""No page offers a select of every government or partnership.

The imported registry holds some 17,000 governments and 24,000 partnerships: a select of them
weighs megabytes (the public events page weighed 835 KB and took 5 s) and helps nobody. Such a
choice is an autocomplete (core's Autocomplete widget); a select stays where its choices are
few (an office's own governments, the countries). These tests build a registry of
thousands and fail on any page, for any kind of user, that renders a <select> of more than a
few hundred options.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kembar.gazetteer.models import Place
from kembar.partnerships.models import LocalGovernment, Partnership
from tests.support.builders import sister_cities

MANY = 1200  # governments: more than any select may hold, fewer than the test gazetteer's cities
MOST_OPTIONS = 300  # the ~250 countries are a select people can use; thousands are not
SELECT = re.compile(r"<select\b[^>]*>(.*?)</select>", re.S)
NAME = re.compile(r'name="([^"]*)"')


def build_registry(n: int) -> list[LocalGovernment]:
    """n more governments, in pairs of public partnerships (as an import leaves them)."""
    places = list(Place.objects.filter(kind=Place.Kind.CITY, governments__isnull=True).order_by("-population")[:n])
    assert len(places) == n, "the test gazetteer holds too few cities"
    LocalGovernment.objects.bulk_create(
        LocalGovernment(place=p, name=p.name, country_code=p.country_code, level="city") for p in places
    )
    made = list(LocalGovernment.objects.filter(place__in=places).order_by("pk"))
    Partnership.objects.bulk_create(
        Partnership(government_a=a, government_b=b, public=True) for a, b in zip(made[0::2], made[1::2])
    )
    return made


def long_selects(html: str) -> list[tuple[str, int]]:
    out = []
    for match in SELECT.finditer(html):
        options = match.group(1).count("<option")
        if options > MOST_OPTIONS:
            name = NAME.search(match.group(0)[: match.group(0).index(">") + 1])
            out.append((name.group(1) if name else "?", options))
    return out


def page_routes() -> list[str]:
    """Every page route without a path parameter (the forms and filters people open first)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    skip = ("api/", "admin/", "i18n/", "accounts/logout/")
    return sorted({"/" + r for r in walk(get_resolver().url_patterns) if "<" not in r and not r.startswith(skip)})


@pytest.mark.parametrize("who", [None, "bandung_editor", "oversight", "platform_admin"])
def test_no_page_renders_a_select_of_hundreds_of_options(client, users, governments, who):
    build_registry(MANY)
    ours = sister_cities(governments)
    if who:
        client.force_login(users[who])
    urls = page_routes() + [
        reverse("activities:create", args=[ours.pk]),
        reverse("activities:aid_create", args=[ours.pk]),
        reverse("meetings:create") + f"?partnership={ours.pk}",
        reverse("meetings:slots") + f"?partnership={ours.pk}",
        reverse("partnerships:government", args=[governments["bandung"].pk]),
        reverse("activities:portal") + f"?city={governments['bandung'].pk}",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            if selects := long_selects(response.content.decode()):
                found[url] = selects
    assert found == {}, f"selects of more than {MOST_OPTIONS} options (name, options): {found}"


def test_the_public_events_page_stays_small_however_many_governments(client, governments):
    """/events/ does not grow with the registry: its city filter is an autocomplete."""
    sister_cities(governments)
    url = reverse("activities:portal")
    before = len(client.get(url).content)
    build_registry(MANY)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and long_selects(html) == []
    assert len(page.content) - before < 2_000, (before, len(page.content))
    assert len(page.content) < 100_000
    assert 'name="city_q"' in html and 'name="city"' in html  # the autocomplete's box and value


def test_a_big_choice_is_an_autocomplete_and_a_small_one_a_select(client, users, governments):
    """The slot finder: an office editor chooses among its few partnerships in a select; a
    platform administrator among thousands in an autocomplete."""
    build_registry(MANY)
    sister_cities(governments)
    url = reverse("meetings:slots")
    client.force_login(users["bandung_editor"])
    html = client.get(url).content.decode()
    assert '<select name="partnership"' in html
    client.force_login(users["platform_admin"])
    html = client.get(url).content.decode()
    assert '<select name="partnership"' not in html and 'name="partnership_q"' in html
    assert 'name="also_q"' in html
