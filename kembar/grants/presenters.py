"""What the grant pages show, shaped from the models."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kembar.gazetteer.countries import country_name

from .vocab import ActivityType, Kind, Level


def _labels(vocab, codes) -> str:
    return ", ".join(str(vocab(c).label) for c in codes if c in vocab.values) or _("any")


def amount_text(call) -> str:
    """ "10,000–50,000 EUR", "up to 50,000 EUR", or "" when the call states no amount."""
    low, high, cur = call.amount_min, call.amount_max, call.currency
    if low is not None and high is not None:
        return f"{low:,.0f}–{high:,.0f} {cur}"
    if high is not None:
        return _("up to %(amount)s") % {"amount": f"{high:,.0f} {cur}"}
    if low is not None:
        return _("from %(amount)s") % {"amount": f"{low:,.0f} {cur}"}
    return ""


def call_facts(call) -> list[tuple[str, str]]:
    """(label, value) pairs of whom the call is for, in the page's language."""
    return [
        (_("Eligible kinds of partnership"), _labels(Kind, call.partnership_kinds)),
        (_("Eligible levels of government"), _labels(Level, call.levels)),
        (_("Eligible countries"), ", ".join(country_name(c) for c in call.countries) or _("any")),
        (
            _("Fields of cooperation"),
            ", ".join(str(f.label) for f in call.fields.all()) or _("any"),
        ),
        (_("Eligible kinds of activity"), _labels(ActivityType, call.activity_types)),
        (_("Amount"), amount_text(call) or _("not stated")),
    ]


def assessment_rows(partnership, years) -> list[dict]:
    """The table of self-assessments: per year one row per side, the dimensions' mean scores
    side by side (services.assessment_years gives the years, newest first)."""
    from .vocab import QUESTIONS, Dimension

    rows = []
    for year in years:
        for k, (side, scores) in enumerate(zip(year.sides, year.scores)):
            government = partnership.governments[k]
            rows.append(
                {
                    "year": year.year if k == 0 else None,
                    "side": government.name,
                    "cells": [scores.get(str(d.value), "—") for d in Dimension] if scores else None,
                    "overall": scores["overall"] if scores else None,
                    "assessment": side,
                    "comments": [
                        (str(text), side.answers[code]["comment"])
                        for code, _dim, text in QUESTIONS
                        if side and side.answers.get(code, {}).get("comment")
                    ],
                }
            )
    return rows
