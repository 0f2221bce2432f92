"""Numbers as a person types them in the page's language: "50.000" and "2,5" in Bahasa
Indonesia, "50,000" and "2.5" in English.

A browser's number input knows one decimal point and no thousands, so an officer typing
"50.000" (fifty thousand, in Indonesian) got 50. A quantity is read here instead, with the
active language's separators (Django's DECIMAL_SEPARATOR, THOUSAND_SEPARATOR and
NUMBER_GROUPING): grouping only in whole groups of three, a space as grouping in either
language. What reads two ways ("2.5" on an Indonesian page: two and a half, or a typing slip
for 2.500?) is refused with the two ways to write it, never guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class NotANumber(ValueError):
    """The text is not a number as the active language writes one."""


def _separators() -> tuple[str, str, int]:
    return (
        str(get_format("DECIMAL_SEPARATOR")),
        str(get_format("THOUSAND_SEPARATOR")),
        int(get_format("NUMBER_GROUPING") or 3),
    )


def parse_decimal(text: str) -> Decimal | None:
    """The number `text` writes in the active language; None for an empty text. Raises
    NotANumber for anything else."""
    text = SPACES.sub(" ", str(text or "")).strip()
    if not text:
        return None
    decimal, thousand, grouping = _separators()
    whole_part = (
        rf"\d{{1,{grouping}}}(?:{re.escape(thousand)}\d{{{grouping}}})+|\d{{1,{grouping}}}(?: \d{{{grouping}}})+|\d+"
    )
    pattern = rf"(?P<sign>-?)(?P<whole>{whole_part})?(?:{re.escape(decimal)}(?P<fraction>\d+))?"
    found = re.fullmatch(pattern, text)
    if not found or not (found["whole"] or found["fraction"]):
        raise NotANumber(text)
    whole = re.sub(rf"[{re.escape(thousand)} ]", "", found["whole"] or "0")
    try:
        value = Decimal(f"{found['sign']}{whole}.{found['fraction'] or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits digits only
        raise NotANumber(text) from exc
    if not value.is_finite():  # pragma: no cover
        raise NotANumber(text)
    return value


def examples() -> dict[str, str]:
    """Fifty thousand and two and a half as the active language writes them ("50.000", "2,5")."""
    return {
        "thousands": number_format(Decimal(50000), force_grouping=True),
        "decimals": number_format(Decimal("2.5"), decimal_pos=1),
    }


def format_decimal(value: Decimal) -> str:
    """`value` as the active language writes it, grouped, without trailing zeros: "50.000",
    "2,5"; `parse_decimal` reads it back."""
    normal = value.normalize()
    places = max(0, -normal.as_tuple().exponent)  # type: ignore[operator]
    return number_format(normal, decimal_pos=places, force_grouping=True)


class DecimalField(forms.DecimalField):
    """A sum or quantity typed as the page's language writes it ("15.000.000" is fifteen
    million on an Indonesian page). A browser's number input would drop such a text and send
    nothing, so this is a text input with a decimal keyboard; what does not read as a number is
    refused with the two ways to write one."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": _("“%(value)s” is not a number. Write thousands as %(thousands)s, decimals as %(decimals)s."),
    }

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(str(value))
        except NotANumber:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value, **examples()}
            ) from None

    def prepare_value(self, value):
        return format_decimal(value) if isinstance(value, Decimal) else value
