"""What "the same registry" means for backup and restore (tests/dashboard/test_backup.py).

A subprocess (a `kembar shell -c` script) imports it as well, to fingerprint another database.
"""

from __future__ import annotations

import json

from kembar.dashboard import backup as bk
from kembar.gazetteer.models import Place, PlaceName


def fingerprint() -> dict:
    """Every backed-up row, as values; places by what they are, not by their local id.

    The ids of auto-created many-to-many rows are left out: like `dumpdata`, a backup keeps
    the links, not the link rows' own ids.
    """
    models = []
    for model in bk.registry_models():
        models.append((model, False))
        models.extend((through, True) for through in bk.registry._through_models(model))
    place_ids = set(Place.objects.filter(kind=Place.Kind.UNVERIFIED).values_list("id", flat=True))
    for model, _auto in models:
        for f in bk.registry._place_fields(model):
            place_ids.update(model._base_manager.exclude(**{f.attname: None}).values_list(f.attname, flat=True))
    names: dict[int, list[str]] = {}
    for place_id, name in PlaceName.objects.filter(place_id__in=place_ids).values_list("place_id", "name"):
        names.setdefault(place_id, []).append(name)
    places = {}
    for row in Place.objects.filter(id__in=place_ids).values():
        place_id = row.pop("id")
        places[place_id] = {**row, "names": sorted(names.get(place_id, []))}

    def key(row):
        return json.dumps(row, sort_keys=True, default=str)

    result = {}
    for model, auto in models:
        place_columns = {f.attname for f in bk.registry._place_fields(model)}
        rows = []
        for row in model._base_manager.values():
            if auto:
                row.pop("id")
            for column in place_columns:
                row[column] = places.get(row[column], ("missing", row[column])) if row[column] else None
            rows.append(row)
        result[model._meta.label_lower] = sorted(rows, key=key)
    result["unverified places"] = sorted((places[i] for i in place_ids if places[i]["kind"] == "unverified"), key=key)
    return result


def as_json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
