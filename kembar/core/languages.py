"""Working languages: one list of ISO 639-1 codes for the whole platform.

An agreement's text, a solution, a need and a partner request store the codes ("ko", "en");
the names are looked up here in the reader's language ("Korea, Inggris" on an Indonesian page,
"Korean, English" on an English one). The names carry the context "language name" so that
"English" the language of a document never shares a catalogue entry with "English" the switch
of the interface, nor "Indonesian" with anything else of that spelling.

The list holds the languages sister-city partners of Indonesian governments work in: the two of
the interface first, then the partners' own. A language it lacks goes into a free-text note
where the model has one (a partner request's `languages_note`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class Language(models.TextChoices):
    INDONESIAN = "id", pgettext_lazy("language name", "Indonesian")
    ENGLISH = "en", pgettext_lazy("language name", "English")
    JAPANESE = "ja", pgettext_lazy("language name", "Japanese")
    KOREAN = "ko", pgettext_lazy("language name", "Korean")
    CHINESE = "zh", pgettext_lazy("language name", "Chinese")
    GERMAN = "de", pgettext_lazy("language name", "German")
    FRENCH = "fr", pgettext_lazy("language name", "French")
    DUTCH = "nl", pgettext_lazy("language name", "Dutch")
    SPANISH = "es", pgettext_lazy("language name", "Spanish")
    ARABIC = "ar", pgettext_lazy("language name", "Arabic")
    RUSSIAN = "ru", pgettext_lazy("language name", "Russian")
    PORTUGUESE = "pt", pgettext_lazy("language name", "Portuguese")
    ITALIAN = "it", pgettext_lazy("language name", "Italian")
    THAI = "th", pgettext_lazy("language name", "Thai")
    VIETNAMESE = "vi", pgettext_lazy("language name", "Vietnamese")
    MALAY = "ms", pgettext_lazy("language name", "Malay")
    FILIPINO = "tl", pgettext_lazy("language name", "Filipino (Tagalog)")
    HINDI = "hi", pgettext_lazy("language name", "Hindi")
    TURKISH = "tr", pgettext_lazy("language name", "Turkish")


CODES = frozenset(Language.values)
NAMES = dict(Language.choices)


def choices() -> list[tuple[str, str]]:
    """(code, name) of every language, in the list's order; the names follow the active language
    when they are rendered."""
    return list(Language.choices)


def name(code: str) -> str:
    """The language's name in the active language; an unknown code as it is."""
    return str(NAMES[code]) if code in NAMES else str(code)


def names(codes: Iterable[str]) -> str:
    """The languages' names in the active language, in the given order: "Korea, Inggris"."""
    return ", ".join(name(code) for code in codes)


def unknown(codes: Iterable) -> list[str]:
    """The values that are not a code of the list, in order."""
    return [str(code) for code in codes if code not in CODES]


def errors(value) -> list[str]:
    """What is wrong with a list of codes, in words (nothing: it is right)."""
    if not isinstance(value, list):
        return [_("Give the languages as a list of codes.")]
    bad = unknown(value)
    if bad:
        return [
            _("Unknown language: %(codes)s. Use the codes %(known)s.")
            % {"codes": ", ".join(bad), "known": ", ".join(Language.values)}
        ]
    return []


def validate_codes(value) -> None:
    """A model field's validator: a list of codes of the list, nothing else."""
    if problems := errors(value):
        raise ValidationError(problems, code="invalid")


def interface_choices() -> list[tuple[str, str]]:
    """The languages of the interface (settings.LANGUAGES), each named in its own words: the
    choices of a profile's or an invitation's language. A callable, so that a language added to
    the settings needs no migration."""
    from django.conf import settings

    return list(settings.LANGUAGES)
