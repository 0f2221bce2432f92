"""The other-language detector: the strings of one language that betray a page of the other.

The other language's strings come from the Indonesian catalogue (kembar/locale/id, compiled):
the entries whose Indonesian differs from the English. A string that is a word of both
languages ("Status", "Mitra" vs "Partner" …) is left out: it proves nothing. A string with
placeholders ("%(amount)s before office hours") matches whatever fills them. Matching whole
pieces of text, never a substring, keeps user data and proper names out of it: a title
"Bandung Culture Festival" is not the field "Culture", a name is not a sentence of the product.

Used by tests/test_page_languages.py (every page, through the test client) and
tests/test_day_walk.py (an officer's day, in Chromium): `leaks(html, language)`.
"""

from __future__ import annotations

import functools
import gettext
import re
from html.parser import HTMLParser

from tests.support.paths import LOCALE

MIN_LETTERS = 4  # a shorter string ("OK", "No") is too likely a word of both languages
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfi]")
SEPARATORS = re.compile(r"\s+[·—|]\s+|\s+→\s+|\s+←\s+")
EDGES = " \t\n:·—–|()→←*,."
NUMBERED = re.compile(r"^\d+(?:\.\w+)?\.? ")
CONTEXT = "\x04"  # between a pgettext context and its msgid in a compiled catalogue


def catalogue(language: str = "id") -> dict[str, str]:
    """English → `language` of the product's own strings (plural forms each as a string). An
    entry with a context (pgettext: "language name") is keyed "context\x04msgid", as compiled."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as f:
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
    # (English, Indonesian); the English of an entry with a context is its msgid ("Korean").
    pairs = [(k.split(CONTEXT)[-1], v) for k, v in catalogue().items() if "<" not in k and "\n" not in k]
    english = {normalise(k) for k, _ in pairs}
    indonesian = {normalise(v) for _, v in pairs}
    # A single word the other language's text uses too ("unit", "data", "status") proves nothing.
    words_id = set(re.findall(r"\w+", " ".join(indonesian)))
    words_en = set(re.findall(r"\w+", " ".join(english)))
    foreign_in_id = {
        k
        for k, v in pairs
        if normalise(k) != normalise(v) and normalise(k) not in indonesian and normalise(k) not in words_id
    }
    foreign_in_en = {
        v
        for k, v in pairs
        if normalise(k) != normalise(v) and normalise(v) not in english and normalise(v) not in words_en
    }
    keep = lambda strings: {s for s in strings if letters(s) >= MIN_LETTERS}  # noqa: E731
    return {"id": Strings(keep(foreign_in_id)), "en": Strings(keep(foreign_in_en))}


def foreign_to(language: str) -> list[Strings]:
    """For a third language (ja …): the English strings its catalogue translates to something else
    (untranslated ones are no leak yet), and the Indonesian strings that betray an English page.
    A string that is also a word of the language's own text ("API", "MoU") proves nothing."""
    pairs = [(k.split(CONTEXT)[-1], v) for k, v in catalogue(language).items() if "<" not in k and "\n" not in k]
    own = {normalise(v) for _, v in pairs}
    words = set(re.findall(r"\w+", " ".join(own)))
    english = {k for k, v in pairs if normalise(k) != normalise(v) and normalise(k) not in own | words}
    return [Strings({s for s in english if letters(s) >= MIN_LETTERS}), distinctive()["en"]]


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


# Where a page shows the other language on purpose: the language switch names each language
# in its own words.
ALLOWED = {"english", "bahasa indonesia", "日本語"}


@functools.cache
def names_in(language: str) -> frozenset[str]:
    """The names of countries and working languages as a page in `language` rightly shows them,
    though the other catalogue has the same word: "Vietnam" is the English name of the country
    and the Indonesian one of the language, "Korea" of the language in Indonesian only."""
    import pycountry
    from django.utils import translation

    from kembar.core import languages as working
    from kembar.gazetteer.countries import country_name

    with translation.override(language):
        names = [country_name(c.alpha_2) for c in pycountry.countries] + [working.name(c) for c in working.CODES]
    return frozenset(normalise(n) for n in names)


def allowed(language: str) -> frozenset[str]:
    """The pieces that never count as a leak on a page in `language`."""
    return frozenset(ALLOWED) | names_in(language)


@functools.cache
def _distinctive() -> dict[str, Strings]:
    return distinctive()


def leaks(html: str, language: str) -> list[str]:
    """The pieces of the page's text that are strings of the language other than `language`."""
    text = Text()
    text.feed(html)
    strings = _distinctive()[language]
    ok = allowed(language)
    return sorted({found for piece in text.pieces if piece not in ok and (found := strings.find(piece))})
