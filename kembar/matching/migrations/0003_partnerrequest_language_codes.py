"""A partner request's working languages become ISO 639-1 codes, picked from one list.

The free text people typed ("Korean, English", "Bahasa Inggris", "English/Japanese") is read
word group by word group: a group that names a language of the list in English or Bahasa
Indonesia, or is its code, becomes the code; what no name matches is kept, as typed, in the
new `languages_note`. The names are written out here (not taken from kembar.core.languages),
so that this migration reads the old text the same way whatever the list becomes later.
"""

import re

import kembar.core.languages
from django.db import migrations, models

# code: names in English and Bahasa Indonesia, and the other names people write
NAMES = {
    "id": ["indonesian", "indonesia", "bahasa indonesia", "bahasa", "indo"],
    "en": ["english", "inggris", "eng"],
    "ja": ["japanese", "jepang", "nihongo"],
    "ko": ["korean", "korea"],
    "zh": ["chinese", "mandarin", "chinese (mandarin)", "tionghoa", "cina", "china", "tiongkok"],
    "de": ["german", "jerman", "deutsch"],
    "fr": ["french", "prancis", "perancis", "français", "francais"],
    "nl": ["dutch", "belanda", "nederlands"],
    "es": ["spanish", "spanyol", "español", "espanol"],
    "ar": ["arabic", "arab"],
    "ru": ["russian", "rusia"],
    "pt": ["portuguese", "portugis", "portugal"],
    "it": ["italian", "italia", "italiano"],
    "th": ["thai"],
    "vi": ["vietnamese", "vietnam"],
    "ms": ["malay", "melayu", "malaysia", "bahasa melayu", "bahasa malaysia"],
    "tl": ["filipino", "tagalog", "filipino (tagalog)", "pilipino", "filipina"],
    "hi": ["hindi"],
    "tr": ["turkish", "turki"],
}
CODES = {code: code for code in NAMES}
KEYS = {**CODES, **{name: code for code, names in NAMES.items() for name in names}}
NOTE_MAX = 200

# "Korean, English" · "English/Japanese" · "Indonesian and English" · "Inggris dan Jepang"
SPLIT = re.compile(r"\s*(?:[,;/&+|\n]|\s(?:and|dan|or|atau|serta)\s)\s*", re.IGNORECASE)
PREFIX = re.compile(r"^(?:bahasa|the)\s+", re.IGNORECASE)
SUFFIX = re.compile(r"\s+(?:language|languages)$", re.IGNORECASE)


def key(group: str) -> str | None:
    """The code a group of words names, or None."""
    text = re.sub(r"\s+", " ", group).strip(" .-–").casefold()
    for candidate in (text, SUFFIX.sub("", text), PREFIX.sub("", SUFFIX.sub("", text))):
        if candidate in KEYS:
            return KEYS[candidate]
    return None


def read(text: str) -> tuple[list[str], str]:
    """The codes a free text names, in its order, and what no name matched, as typed."""
    codes: list[str] = []
    rest: list[str] = []
    for group in SPLIT.split(text or ""):
        if not group.strip():
            continue
        code = key(group)
        if code is None:
            rest.append(group.strip())
        elif code not in codes:
            codes.append(code)
    return codes, ", ".join(rest)[:NOTE_MAX]


def to_codes(apps, schema_editor):
    PartnerRequest = apps.get_model("matching", "PartnerRequest")
    for pk, text in PartnerRequest.objects.exclude(languages="").values_list("pk", "languages"):
        codes, note = read(text)
        PartnerRequest.objects.filter(pk=pk).update(language_codes=codes, languages_note=note)


ENGLISH = {
    "id": "Indonesian", "en": "English", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "de": "German",
    "fr": "French", "nl": "Dutch", "es": "Spanish", "ar": "Arabic", "ru": "Russian", "pt": "Portuguese",
    "it": "Italian", "th": "Thai", "vi": "Vietnamese", "ms": "Malay", "tl": "Filipino", "hi": "Hindi",
    "tr": "Turkish",
}


def to_text(apps, schema_editor):
    """Back to one line of text: the English names, then the note."""
    PartnerRequest = apps.get_model("matching", "PartnerRequest")
    for request in PartnerRequest.objects.all():
        parts = [ENGLISH.get(code, code) for code in request.language_codes or []]
        if request.languages_note:
            parts.append(request.languages_note)
        PartnerRequest.objects.filter(pk=request.pk).update(languages=", ".join(parts)[:200])


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0002_partnerrequest_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnerrequest",
            name="languages_note",
            field=models.CharField(
                blank=True,
                help_text="What the list of languages lacks.",
                max_length=200,
                verbose_name="other languages",
            ),
        ),
        migrations.AddField(
            model_name="partnerrequest",
            name="language_codes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(to_codes, to_text),
        migrations.RemoveField(model_name="partnerrequest", name="languages"),
        migrations.RenameField(model_name="partnerrequest", old_name="language_codes", new_name="languages"),
        migrations.AlterField(
            model_name="partnerrequest",
            name="languages",
            field=models.JSONField(
                blank=True,
                default=list,
                validators=[kembar.core.languages.validate_codes],
                verbose_name="working languages",
            ),
        ),
    ]
