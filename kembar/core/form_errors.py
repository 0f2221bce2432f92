"""Putting a service's ValidationError on a page's form: one helper for every app's views."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError


def add_errors(form, error: ValidationError, fields: Mapping[str, str] | None = None) -> None:
    """Each message on its form field when the form has it, else on the form as a whole.

    `fields` maps a service's field names to the form's where they differ
    ({"government_id": "government"}); a mapping whose target the form lacks is not used.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        name = (fields or {}).get(field, field)
        if name not in form.fields:
            name = field if field in form.fields else None
        form.add_error(name, messages)
