"""Every page in both languages, with no string of the other language's catalogue.

The pages are the permission sweep's (tests/test_permission_sweep.py): every route of the site
but the Django admin and the API, filled from the same world, read by a visitor and by an
office editor, once in Bahasa Indonesia and once in English (the language cookie). Each HTML
answer's text (text between tags, and the title, placeholder, aria-label and alt a person
reads or hears) is cut into pieces; a piece that *is* a string of the other language fails the
test, naming the page and the string.

The other language's strings come from the Indonesian catalogue (kembar/locale/id, compiled):
the entries whose Indonesian differs from the English. A string that is a word of both
languages ("Status", "Mitra" vs "Partner" …) is left out: it proves nothing. A string with
placeholders ("%(amount)s before office hours") matches whatever fills them. Matching whole
pieces of text, never a substring, keeps user data and proper names out of it: a title
"Bandung Culture Festival" is not the field "Culture", a name is not a sentence of the product.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.support.paths import LOCALE
from tests.test_permission_sweep import CannotFill, World, all_routes, fill
from tests.test_permission_sweep import world as world  # noqa: F401,PLC0414 - the sweep's fixture

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/", "i18n/")  # Django's own pages, JSON, the language switch
# Pages with more to show than their bare URL: the slot finder with its results.
# A four-hour meeting cannot fit in the two hours Bandung and Braunschweig share: every slot has a cost.
EXTRA = ["/meetings/slots/?partnership={public}&start=2027-03-01&end=2027-03-12&duration=240"]
READERS = [None, "bandung_editor"]
MIN_LETTERS = 4  # a shorter string ("OK", "No") is too likely a word of both languages
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfi]")
SEPARATORS = re.compile(r"\s+[·—|]\s+|\s+→\s+|\s+←\s+")
EDGES = " \t\n:·—–|()→←*,."
NUMBERED = re.compile(r"^\d+(?:\.\w+)?\.? ")


def catalogue() -> dict[str, str]:
    """English → Indonesian of the product's own strings (plural forms each as a string)."""
    with open(LOCALE / "id" / "LC_MESSAGES" / "django.mo", "rb") as f:
        raw = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    pairs: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    for key, value in raw.items():
        if isinstance(key, tuple):  # (msgid, n): the msgid_plural is not in the key
            plurals.setdefault(key[0], []).append(value)
        elif key:
            pairs[key] = value
    for msgid, forms in plurals.items():
        pairs[msgid] = forms[0]
    return pairs


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(EDGES).casefold()


def letters(text: str) -> int:
    return sum(c.isalpha() for c in PLACEHOLDER.sub("", text))


class Strings:
    """One language's distinctive strings: exact ones in a set, those with placeholders as
    one regular expression."""

    def __init__(self, strings: set[str]):
        self.exact = {normalise(s) for s in strings if not PLACEHOLDER.search(s)}
        patterns = []
        for s in sorted(s for s in strings if PLACEHOLDER.search(s)):
            literal = [normalise(part) for part in PLACEHOLDER.split(s)]
            if max((letters(p) for p in literal), default=0) < MIN_LETTERS:
                continue  # "%(a)s – %(b)s": placeholders and punctuation only
            regex = ".+?".join(re.escape(p) for p in PLACEHOLDER.split(normalise(s).replace("%%", "%")))
            patterns.append(regex)
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        self.patterns = patterns

    def find(self, piece: str) -> str | None:
        if piece in self.exact:
            return piece
        if self.pattern is not None and self.pattern.fullmatch(piece):
            return piece
        return None


def distinctive() -> dict[str, Strings]:
    """For each language, the strings of the *other* language that would betray a leak."""
    pairs = {k: v for k, v in catalogue().items() if "<" not in k and "\n" not in k}
    english = {normalise(k) for k in pairs}
    indonesian = {normalise(v) for v in pairs.values()}
    # A single word the other language's text uses too ("unit", "data", "status") proves nothing.
    words_id = set(re.findall(r"\w+", " ".join(indonesian)))
    words_en = set(re.findall(r"\w+", " ".join(english)))
    foreign_in_id = {
        k
        for k, v in pairs.items()
        if normalise(k) != normalise(v) and normalise(k) not in indonesian and normalise(k) not in words_id
    }
    foreign_in_en = {
        v
        for k, v in pairs.items()
        if normalise(k) != normalise(v) and normalise(v) not in english and normalise(v) not in words_en
    }
    keep = lambda strings: {s for s in strings if letters(s) >= MIN_LETTERS}  # noqa: E731
    return {"id": Strings(keep(foreign_in_id)), "en": Strings(keep(foreign_in_en))}


class Text(HTMLParser):
    """The pieces of text a person reads on the page (or hears: title, aria-label, alt)."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
    SILENT = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SILENT:
            self.silent += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.add(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button") and dict(attrs).get("value"):
            self.add(dict(attrs)["value"])

    def handle_endtag(self, tag):
        if tag in self.SILENT and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent:
            self.add(data)

    def add(self, text: str):
        whole = normalise(text)
        if not whole:
            return
        parts = {whole} | {normalise(part) for part in SEPARATORS.split(re.sub(r"\s+", " ", text))}
        parts |= {NUMBERED.sub("", part) for part in parts}  # "4. Quality education", "11.5 Reduce …"
        self.pieces.extend(p for p in parts if p)


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
    return urls + [u.format(public=w.public.pk, private=w.private.pk) for u in EXTRA]


# Where a page shows the other language on purpose: the language switch names each language
# in its own words.
ALLOWED = {"english", "bahasa indonesia"}


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
                    if piece not in ALLOWED and (found := strings[language].find(piece)):
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
