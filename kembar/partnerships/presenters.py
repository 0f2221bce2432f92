"""What the partnership pages show, shaped from the models (kept out of views and templates)."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .models import LocalGovernment, Partnership
from .vocab import SDG_GOALS, Field, Trait


def _point(government: LocalGovernment) -> dict | None:
    place = government.place
    if not place.has_coordinates:
        return None
    return {"name": str(government), "lat": place.latitude, "lng": place.longitude,
            "url": government.get_absolute_url()}


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
    return {"points": list(points.values()), "lines": lines, "centre": centre_point,
            "tiles": settings.MAP_TILES, "attribution": settings.MAP_ATTRIBUTION}


def _display(field: str, value) -> str:
    """A history value as a person reads it: labels for codes, field names for m2m rows."""
    if field == "fields":
        return ", ".join(str(Field(row["cooperationfield"]).label) for row in value or [])
    model_field = Partnership._meta.get_field(field)
    if model_field.choices and value in dict(model_field.choices):
        return str(dict(model_field.choices)[value])
    if value is True or value is False:
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def history_entries(partnership: Partnership) -> list[dict]:
    """The partnership's change history, newest first, each entry with what changed."""
    fields_label = str(Partnership._meta.get_field("fields").verbose_name)
    records = list(partnership.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["updated", "created"])
            changes = [{"field": str(Partnership._meta.get_field(c.field).verbose_name),
                        "old": _display(c.field, c.old), "new": _display(c.field, c.new)} for c in delta.changes]
        entries.append({
            "date": newer.history_date,
            "user": newer.history_user,
            "type": {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[newer.history_type],
            "changes": changes,
        })
    # Saving a new partnership and then its fields writes two records; show them as one.
    if (len(entries) >= 2 and entries[-1]["type"] == _("Created") and entries[-2]["type"] == _("Changed")
            and entries[-2]["user"] == entries[-1]["user"]
            and (entries[-2]["date"] - entries[-1]["date"]).total_seconds() < 5
            and all(c["field"] == fields_label for c in entries[-2]["changes"])):
        entries[-1]["changes"] = entries.pop(-2)["changes"]
    return entries


def trait_labels(government: LocalGovernment) -> list[str]:
    return [str(Trait(t).label) for t in government.traits if t in Trait.values]


def sdg_labels(government: LocalGovernment) -> list[str]:
    return [f"{n}. {SDG_GOALS[n]}" for n in government.sdg_priorities if n in SDG_GOALS]
