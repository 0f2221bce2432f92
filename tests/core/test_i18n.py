"""Every language of the interface (settings.LANGUAGES) is complete, and the compiled catalogues
are current: a language added to the settings is held to it with no change here."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.paths import LOCALE

SOURCE = "en"  # the msgids are English: its catalogue stays empty
LANGUAGES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = [code for code in LANGUAGES if code != SOURCE]


def po_entries(path: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of each entry of a .po file, header excluded. An entry with a
    context (pgettext) is keyed as the compiled catalogue keys it: context, EOT, msgid."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            msgid = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries.append((msgid, strs, fuzzy))
    return entries


def test_every_language_but_the_source_is_translated():
    assert "id" in TRANSLATED and "ja" in TRANSLATED and SOURCE in LANGUAGES


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language):
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 200
    untranslated = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert untranslated == [], f"{len(untranslated)} entries of {language} untranslated or fuzzy"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogues_hold_the_same_strings(language):
    """`make messages` made every catalogue from the same sources: none lags behind."""
    source = {msgid for msgid, _strs, _fuzzy in po_entries(LOCALE / SOURCE / "LC_MESSAGES" / "django.po")}
    assert {msgid for msgid, _strs, _fuzzy in po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")} == source


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language):
    po = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    translated = [msgid for msgid, strs, fuzzy in po if all(strs) and not fuzzy]
    for msgid in translated:
        key = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        assert key in catalogue._catalog or (key, 0) in catalogue._catalog, f"not compiled: {msgid}"
