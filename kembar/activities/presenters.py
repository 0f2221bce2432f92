"""What the activity pages show, shaped from the models (kept out of views and templates)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.partnerships.vocab import sdg_text

from . import recurrence
from .models import Activity
from .vocab import BREAKDOWN_GROUPS, SDG_CODES

HISTORY_SHOWN = 20


@dataclass
class Row:
    activity: Activity
    next: recurrence.Occurrence | None  # the next occurrence of a series
    labels: dict[str, dict] = field(default_factory=dict, repr=False)  # shared by the rows of a list

    @property
    def repeats(self) -> str:
        return recurrence.describe(self.activity.recurrence)

    def _label(self, name: str) -> str:
        value = getattr(self.activity, name)
        if name not in self.labels:
            return getattr(self.activity, f"get_{name}_display")()
        return self.labels[name].get(value, value)

    # What get_type_display() and the others give, from the list's one dict per field:
    # get_FOO_display() hashes the field's whole list of lazily translated choices on every
    # call (~30 translations each), ~2.5 ms for a partnership's 27 activities.
    @property
    def type_label(self) -> str:
        return self._label("type")

    @property
    def field_label(self) -> str:
        return self._label("field")

    @property
    def status_label(self) -> str:
        return self._label("status")


def _choice_labels() -> dict[str, dict]:
    return {
        name: {value: str(label) for value, label in Activity._meta.get_field(name).flatchoices}
        for name in ("type", "field", "status")
    }


def breakdown_text(counts: dict) -> str:
    """A side's participant breakdown in words: "Women 12, Men 10, 18–29 years 20"."""
    # In the groups' own order: PostgreSQL's jsonb does not keep the order the keys were stored in.
    return ", ".join(f"{label} {counts[key]}" for key, label in BREAKDOWN_GROUPS.items() if key in counts)


def participant_lines(activity: Activity) -> list[tuple]:
    """(government, count, breakdown in words) of each side of the activity's partnership."""
    p = activity.partnership
    breakdown = activity.breakdown or {}
    return [
        (p.government_a, activity.participants_a, breakdown_text(breakdown.get("a", {}))),
        (p.government_b, activity.participants_b, breakdown_text(breakdown.get("b", {}))),
    ]


def _shown(field_name: str, value):
    """A recorded value as the history shows it: the rule and the breakdown in words."""
    if field_name == "recurrence":
        return recurrence.describe(value or "")
    if field_name == "breakdown" and isinstance(value, dict):
        return "; ".join(breakdown_text(counts) for counts in value.values() if isinstance(counts, dict))
    return value


def activity_rows(activities: list[Activity]) -> list[Row]:
    """Each activity with, for a series, its next occurrence (changes must be prefetched)."""
    now = timezone.now()
    labels = _choice_labels()
    rows = []
    for a in activities:
        nxt = None
        if a.recurrence:
            upcoming = recurrence.occurrences(a, after=now, limit=1)
            nxt = upcoming[0] if upcoming else None
        rows.append(Row(a, nxt, labels))
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
                old, new = _shown(c.field, c.old), _shown(c.field, c.new)
                changes.append(
                    {"field": field.verbose_name, "old": display.get(old, old), "new": display.get(new, new)}
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
