"""What the solution pages show, shaped from the models."""

from __future__ import annotations

from django.utils.translation import gettext as _

HISTORY_SHOWN = 20
HIDDEN = {"updated", "created", "version"}


def history_entries(obj, limit: int = HISTORY_SHOWN) -> list[dict]:
    """The latest changes of a solution, need or pilot, newest first, naming the fields changed.

    The number of records read is bounded, so a page's queries do not grow with the history.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    labels = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    entries = []
    for newer, older in zip(records[:limit], records[1 : limit + 1] + [None] * (limit + 1)):
        changed = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=list(HIDDEN & {f.name for f in type(obj)._meta.fields}))
            changed = [str(type(obj)._meta.get_field(c.field).verbose_name) for c in delta.changes]
        entries.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                "type": labels[newer.history_type],
                "fields": changed,
            }
        )
    return entries
