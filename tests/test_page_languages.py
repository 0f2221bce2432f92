"""Every page in every language, with no string of another language's catalogue.

The pages are the permission sweep's (tests/test_permission_sweep.py): every route of the site
but the Django admin and the API, filled from the same world, read by a visitor and by an
office editor, once in Bahasa Indonesia and once in English (the language cookie). Each HTML
answer's text (text between tags, and the title, placeholder, aria-label and alt a person
reads or hears) is cut into pieces; a piece that *is* a string of the other language fails the
test, naming the page and the string.

A third language (Japanese, and the next ones of settings.LANGUAGES) is held to the same: every
page in it shows its own script and no English string its catalogue translates, nor an
Indonesian one.

The detector is tests/support/languages.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.support.languages import Text, allowed, distinctive, foreign_to
from tests.test_permission_sweep import CannotFill, World, all_routes, fill
from tests.test_permission_sweep import world as world  # noqa: F401,PLC0414 - the sweep's fixture

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/", "i18n/")  # Django's own pages, JSON, the language switch
# Pages with more to show than their bare URL: the slot finder with its results.
# A four-hour meeting cannot fit in the two hours Bandung and Braunschweig share: every slot has a cost.
# A report's status page in its other states (the first URL shows the ready one).
EXTRA = [
    "/meetings/slots/?partnership={public}&start=2027-03-01&end=2027-03-12&duration=240",
    "/insights/reports/{report_queued}/",
    "/insights/reports/{report_failed}/",
]
READERS = [None, "bandung_editor"]


def page_urls(w: World) -> list[str]:
    """One URL of every route (the first the sweep fills it with), and the extra ones."""
    urls = []
    for route in all_routes():
        if route.route.startswith(SKIPPED_PREFIXES):
            continue
        try:
            urls.append(fill(route, w)[0])
        except CannotFill as error:  # the permission sweep fails on it, naming the tables to extend
            pytest.fail(f"{route.route}: {error}")
    reports = {f"report_{status}": report.pk for status, report in w.reports.items()}
    return urls + [u.format(public=w.public.pk, private=w.private.pk, **reports) for u in EXTRA]


def test_every_page_speaks_one_language(world, settings):
    settings.LANGUAGE_CODE = "id"
    strings = distinctive()
    urls = page_urls(world)
    assert len(urls) > 80, "the sweep's routes should give every page"
    leaks: list[str] = []
    pages = 0
    for reader in READERS:
        client = Client()
        if reader:
            client.force_login(world.users[reader])
        for language in ("id", "en"):
            client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
            for url in urls:
                response = client.get(url)
                assert response.status_code < 500, f"{url} as {reader or 'a visitor'} in {language}"
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                text = Text()
                text.feed(response.content.decode())
                for piece in text.pieces:
                    if piece not in allowed(language) and (found := strings[language].find(piece)):
                        leaks.append(f"{urlsplit(url).path} ({reader or 'visitor'}, {language}): “{found}”")
    assert pages > 150
    assert not leaks, "Strings of the other language:\n" + "\n".join(sorted(set(leaks)))


def test_the_check_sees_a_string_of_the_other_language():
    """The positive control: the strings the first test looks for, and where it looks."""
    strings = distinctive()
    page = Text()
    page.feed(
        "<p>Status: <b>Aktif</b></p><p title='Skor kesehatan, 0 sampai 100'>35</p>"
        "<td>Kota Bandung · 2 h before office hours</td><script>var s = 'Proposed';</script>"
        "<label><input type=checkbox> 4. Pendidikan berkualitas</label>"
    )
    assert strings["en"].find("aktif") and strings["en"].find("skor kesehatan, 0 sampai 100")
    assert strings["id"].find("2 h before office hours") and not strings["id"].find("bandung culture festival")
    assert not strings["id"].find("status")  # a word of both languages proves nothing
    assert "2 h before office hours" in page.pieces and "proposed" not in page.pieces
    assert strings["en"].find("pendidikan berkualitas") and "pendidikan berkualitas" in page.pieces


def test_a_language_name_of_the_other_language_is_seen_and_a_rightly_named_country_is_not():
    """ "Korean" on an Indonesian page is a leak (the Indonesian says "Korea"), and so is "Jepang"
    on an English one; "Vietnam", the English name of the country that is also the Indonesian
    name of its language, is not a leak on an English page."""
    strings = distinctive()
    assert strings["id"].find("korean") and "korean" not in allowed("id")
    assert strings["en"].find("jepang") and "jepang" not in allowed("en")
    assert strings["en"].find("vietnam") and "vietnam" in allowed("en")
    assert "korea selatan" in allowed("id") and "inggris" in allowed("id")


THIRD_LANGUAGES = [code for code, _name in django_settings.LANGUAGES if code not in ("id", "en")]
SCRIPTS = {"ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"), "ko": re.compile(r"[\uac00-\ud7af]")}


@pytest.mark.parametrize("language", THIRD_LANGUAGES)
def test_every_page_in_a_third_language_shows_it_and_no_english_it_translates(world, settings, language):
    settings.LANGUAGE_CODE = "id"
    foreign = foreign_to(language)
    ok = allowed(language)
    script = SCRIPTS.get(language)
    leaks: list[str] = []
    unscripted: list[str] = []
    pages = 0
    for reader in READERS:
        client = Client()
        if reader:
            client.force_login(world.users[reader])
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
        for url in page_urls(world):
            response = client.get(url)
            assert response.status_code < 500, f"{url} as {reader or 'a visitor'} in {language}"
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            html = response.content.decode()
            assert "<html" not in html or f'<html lang="{language}">' in html, url
            text = Text()
            text.feed(html)
            if script and text.pieces and not script.search(" ".join(text.pieces)):
                unscripted.append(url)
            for piece in text.pieces:
                if piece not in ok and (found := next((f for s in foreign if (f := s.find(piece))), None)):
                    leaks.append(f"{urlsplit(url).path} ({reader or 'visitor'}, {language}): “{found}”")
    assert pages > 75
    assert unscripted == [], f"Pages without a word of {language}: {unscripted}"
    assert not leaks, "Strings of another language:\n" + "\n".join(sorted(set(leaks)))


def test_the_third_language_check_sees_english_and_indonesian():
    """The positive control of the test above: an English string Japanese translates, an
    Indonesian one; not a word Japanese keeps ("MoU"), nor a language switch's own name."""
    english, indonesian = foreign_to("ja")
    assert english.find("save changes") and english.find("agreements needing attention")
    assert indonesian.find("simpan perubahan")
    assert not english.find("mou") and "日本語" in allowed("ja")
