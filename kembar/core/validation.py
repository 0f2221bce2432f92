"""The rules every stored text and link obeys, whatever door it came through.

A page form, the API, an import, the CLI and the admin all end in a model's save(), so the
rules are checked there (a pre_save receiver for kembar's own models, connected in
CoreConfig.ready()) and by `check_values` for the few writers that bypass save() (bulk imports):

- **No control characters.** C0 characters (NUL, vertical tab, escape, …) break PostgreSQL
  (NUL), the XLSX format and terminals, and no person types them. A one-line field
  (CharField) refuses all of them; a multi-line one (TextField, texts in a JSONField) allows
  tab and line breaks.
- **Links are http or https.** A URLField holding `javascript:…` would become a clickable
  script on the meeting page, in the .ics invitation and the e-mail.

A refusal is a ValidationError keyed by the field's name, with a message naming it: the form
shows it beside the field, the API answers 422 with the field, an import reports the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINK_SCHEMES = {"http", "https"}


def _label(field: models.Field) -> str:
    return str(field.verbose_name)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def control_character_error(field: models.Field, value: Any) -> str | None:
    """The refusal for a value holding control characters, or None when it is clean."""
    if isinstance(field, models.JSONField | models.TextField):
        pattern = MULTI_LINE
    elif isinstance(field, models.CharField):
        pattern = ONE_LINE
    else:
        return None
    for text in _strings(value):
        found = pattern.search(text)
        if found:
            return _("%(field)s contains a control character (code %(code)d); remove it.") % {
                "field": _label(field).capitalize(),
                "code": ord(found.group()),
            }
    return None


def link_error(field: models.Field, value: Any) -> str | None:
    if not isinstance(field, models.URLField) or not value:
        return None
    parts = urlsplit(str(value))
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return _("%(field)s must be a web address starting with http:// or https://.") % {
            "field": _label(field).capitalize()
        }
    return None


def check_values(model: type[models.Model], values: dict[str, Any]) -> None:
    """Raise a ValidationError naming each field of `model` whose value breaks a rule."""
    errors: dict[str, list[str]] = {}
    for field in model._meta.concrete_fields:
        if field.attname not in values:
            continue
        value = values[field.attname]
        message = control_character_error(field, value) or link_error(field, value)
        if message:
            errors.setdefault(field.name, []).append(message)
    if errors:
        raise ValidationError(errors)


def check_instance(instance: models.Model) -> None:
    values = {}
    for field in type(instance)._meta.concrete_fields:
        value = instance.__dict__.get(field.attname)
        if isinstance(value, str | dict | list):
            values[field.attname] = value
    check_values(type(instance), values)


def refuse_bad_text(sender, instance, raw=False, **kwargs) -> None:
    """pre_save receiver: kembar's own models (fixtures loaded raw are trusted)."""
    if not raw and sender.__module__.startswith("kembar."):
        check_instance(instance)
