"""What the partnership pages show, shaped from the models (kept out of views and templates)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from kembar.core import times

from .models import LocalGovernment, Partnership
from .vocab import SDG_GOALS, Field


def _point(government: LocalGovernment) -> dict | None:
    place = government.place
    if not place.has_coordinates:
        return None
    return {
        "name": str(government),
        "lat": place.latitude,
        "lng": place.longitude,
        "url": government.get_absolute_url(),
    }


def map_data(centre: LocalGovernment, partnerships: list[Partnership]) -> dict:
    """Points and lines for the small Leaflet map: the centre government and its partners."""
    lines, points = [], {}
    for p in partnerships:
        a, b = _point(p.government_a), _point(p.government_b)
        for g, point in ((p.government_a, a), (p.government_b, b)):
            if point:
                points[g.pk] = point
        if a and b:
            lines.append([[a["lat"], a["lng"]], [b["lat"], b["lng"]]])
    centre_point = _point(centre)
    if centre_point:
        points[centre.pk] = centre_point
    return {
        "points": list(points.values()),
        "lines": lines,
        "centre": centre_point,
        "tiles": settings.MAP_TILES,
        "attribution": settings.MAP_ATTRIBUTION,
    }


def _display(field: str, value) -> str:
    """A history value as a person reads it: labels for codes, field names for m2m rows."""
    if field == "fields":
        return ", ".join(str(Field(row["cooperationfield"]).label) for row in value or [])
    model_field = Partnership._meta.get_field(field)
    if model_field.choices and value in dict(model_field.choices):
        return str(dict(model_field.choices)[value])
    if value is True or value is False:
        return _("yes") if value else _("no")
    if model_field.is_relation and value is not None:  # the confirming office by name, not its id
        return str(model_field.related_model._default_manager.filter(pk=value).first() or "—")
    if isinstance(value, dt.datetime):  # in the reader's zone, named, as every moment on the page
        return times.stamp(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return "" if value is None else str(value)


HISTORY_SHOWN = 20


def history_entries(partnership: Partnership, limit: int = HISTORY_SHOWN) -> list[dict]:
    """The latest changes of the partnership, newest first, each with what changed.

    One save writes one record for the partnership and then one for each change of its
    fields of cooperation; a record that only changes the fields, made by the same user
    within seconds of the one before, is shown as part of that save.
    The number of records read is bounded, so the page's queries do not grow with history.
    """
    fields_label = str(Partnership._meta.get_field("fields").verbose_name)
    records = list(
        partnership.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries: list[dict] = []
    for newer, older in zip(records, records[1:] + [None]):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["updated", "created", "version"])
            changes = [
                {
                    "field": str(Partnership._meta.get_field(c.field).verbose_name),
                    "old": _display(c.field, c.old),
                    "new": _display(c.field, c.new),
                }
                for c in delta.changes
            ]
        entry = {"date": newer.history_date, "user": newer.history_user, "kind": newer.history_type, "changes": changes}
        previous = entries[-1] if entries else None
        if (
            previous
            and previous["user"] == entry["user"]
            and (previous["date"] - entry["date"]).total_seconds() < 2
            and all(c["field"] == fields_label for c in previous["changes"])
        ):
            # `previous` is the later record of the same save: fold it into this one.
            later = {c["field"]: c for c in previous["changes"]}
            for c in entry["changes"]:
                if c["field"] in later:
                    later[c["field"]]["old"] = c["old"]
            entry["changes"] = [c for c in entry["changes"] if c["field"] not in later] + list(later.values())
            entry["changes"] = [c for c in entry["changes"] if c["old"] != c["new"]]
            entries[-1] = entry
        else:
            entries.append(entry)
    labels = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    for entry in entries:
        entry["type"] = labels[entry.pop("kind")]
    return entries


def sdg_labels(government: LocalGovernment) -> list[str]:
    return [f"{n}. {SDG_GOALS[n]}" for n in government.sdg_priorities if n in SDG_GOALS]
