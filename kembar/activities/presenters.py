"""What the activity pages show, shaped from the models (kept out of views and templates)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.partnerships.vocab import sdg_text

from . import recurrence
from .models import Activity
from .vocab import SDG_CODES

HISTORY_SHOWN = 20


@dataclass
class Row:
    activity: Activity
    next: recurrence.Occurrence | None  # the next occurrence of a series


def activity_rows(activities: list[Activity]) -> list[Row]:
    """Each activity with, for a series, its next occurrence (changes must be prefetched)."""
    now = timezone.now()
    rows = []
    for a in activities:
        nxt = None
        if a.recurrence:
            upcoming = recurrence.occurrences(a, after=now, limit=1)
            nxt = upcoming[0] if upcoming else None
        rows.append(Row(a, nxt))
    return rows


def sdg_labels(codes: list[str]) -> list[str]:
    return [str(sdg_text(code)) for code in codes if code in SDG_CODES]


def history_entries(activity: Activity) -> list[dict]:
    """The recorded versions of the activity, newest first, with what changed."""
    records = list(
        activity.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_SHOWN + 1]
    )
    entries = []
    types = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    for record, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=["updated", "created"])
            for c in delta.changes:
                field = Activity._meta.get_field(c.field)
                display = dict(field.choices) if field.choices else {}
                changes.append(
                    {"field": field.verbose_name, "old": display.get(c.old, c.old), "new": display.get(c.new, c.new)}
                )
        entries.append(
            {
                "type": types.get(record.history_type, ""),
                "date": record.history_date,
                "user": record.history_user,
                "changes": changes,
            }
        )
    return entries[:HISTORY_SHOWN]
