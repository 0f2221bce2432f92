"""Activities, calls and aid for the permission sweep's world (tests/test_permission_sweep.py).

Each kind exists twice: under the private partnership (public itself, so only the partnership's
privacy hides it) and under the public partnership but not public, carrying the private note.
"""

from __future__ import annotations

import datetime as dt

from kembar.activities import services
from kembar.activities.models import Activity
from kembar.core.uploads import check_upload
from tests.support.files import pdf_bytes, upload

START = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def sweep_objects(w, private_note: str) -> dict:
    admin = w.users["platform_admin"]
    bandung = w.governments["bandung"]
    out = {}
    for key, partnership, public in (("in_private", w.private, True), ("hidden", w.public, False)):
        activity = services.create_activity(
            admin,
            partnership,
            title=f"Sweep activity {key}",
            type="cultural_event",
            host=bandung,
            start=START,
            end=START + dt.timedelta(hours=2),
            recurrence="FREQ=YEARLY;COUNT=3",
            public=public,
            description=private_note if not public else "",
        )
        f = upload("sweep.pdf", pdf_bytes())
        out[f"activity_{key}"] = activity
        out[f"file_{key}"] = services.attach(admin, activity, f, check_upload(f))
        out[f"call_{key}"] = services.create_call(
            admin,
            partnership,
            title=f"Sweep call {key}",
            kind="exchange",
            host=bandung,
            quota=5,
            deadline=START.date(),
            how_to_apply="sweep@example.org",
            public=public,
            eligibility=private_note if not public else "",
        )
        shipment = services.create_aid(
            admin,
            partnership,
            title=f"Sweep aid {key}",
            donor=bandung,
            public=public,
            items=[{"name": "masks", "quantity": 100, "unit": "pieces"}],
            notes=private_note if not public else "",
        )
        f = upload("sweep.pdf", pdf_bytes())
        out[f"aid_{key}"] = shipment
        out[f"document_{key}"] = services.attach_aid_document(admin, shipment, f, check_upload(f))
    return out


def ids(w, kind: str) -> list[int]:
    return [w.activities[f"{kind}_in_private"].pk, w.activities[f"{kind}_hidden"].pk]


PATH_VALUES = {
    ("activities", "pk"): lambda w: ids(w, "activity"),
    ("calls", "pk"): lambda w: ids(w, "call"),
    ("aid", "pk"): lambda w: ids(w, "aid"),
    ("activity-files", "file_id"): lambda w: ids(w, "file"),
    ("aid-documents", "document_id"): lambda w: ids(w, "document"),
}


def _version(model, url: str) -> int:
    import re

    return model.objects.get(pk=int(re.search(r"/(\d+)/", url).group(1))).version


def _activity_body(w, url):
    return {
        "title": "SWEEP-OVERWRITE",
        "type": "other",
        "modality": "in_person",
        "status": "planned",
        "host": w.governments["bandung"].pk,
        "start": "2027-04-01T10:00",
        "end": "2027-04-01T11:00",
        "public": "on",
        "version": _version(Activity, url) if url.startswith("/activities/") else "",
    }


def _call_body(w, url):
    from kembar.activities.models import Call

    return {
        "title": "SWEEP-OVERWRITE",
        "kind": "scholarship",
        "host": w.governments["bandung"].pk,
        "deadline": "2027-05-01",
        "how_to_apply": "sweep@example.org",
        "status": "open",
        "public": "on",
        "version": _version(Call, url) if url.startswith("/calls/") else "",
    }


def _aid_body(w, url):
    from kembar.activities.models import AidShipment

    return {
        "title": "SWEEP-OVERWRITE",
        "donor": w.governments["bandung"].pk,
        "status": "pledged",
        "items_quantity": "10",
        "items_unit": "boxes",
        "items_name": "masks",
        "public": "on",
        "version": _version(AidShipment, url) if url.startswith("/aid/") else "",
    }


PAGE_BODIES = {
    "partnerships/<int:pk>/activities/new/": _activity_body,
    "activities/<int:pk>/edit/": _activity_body,
    "activities/<int:pk>/postpone/": lambda w, url: {
        "reason": "SWEEP",
        "to_be_decided": "on",
        "version": _version(Activity, url),
    },
    "activities/<int:pk>/convert/": lambda w, url: {
        "modality": "virtual",
        "reason": "SWEEP",
        "version": _version(Activity, url),
    },
    "activities/<int:pk>/delete/": lambda w, url: {},
    "partnerships/<int:pk>/calls/new/": _call_body,
    "calls/<int:pk>/edit/": _call_body,
    "partnerships/<int:pk>/aid/new/": _aid_body,
    "aid/<int:pk>/edit/": _aid_body,
}


PATH_VALUES[("activities", "activity_id")] = lambda w: ids(w, "activity")


def _activity_version(kw) -> int:
    return Activity.objects.get(pk=kw["activity_id"]).version


API_BODIES = {
    ("post", "/api/partnerships/{partnership_id}/activities"): lambda w, kw: {
        "title": "Sweep",
        "type": "other",
        "host_id": w.governments["bandung"].pk,
        "start": "2027-04-01T10:00:00",
        "end": "2027-04-01T11:00:00",
        "public": False,
    },
    ("patch", "/api/activities/{activity_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "public": True,
        "version": _activity_version(kw),
    },
    ("post", "/api/activities/{activity_id}/postpone"): lambda w, kw: {
        "reason": "SWEEP",
        "version": _activity_version(kw),
    },
    ("post", "/api/activities/{activity_id}/convert"): lambda w, kw: {
        "modality": "virtual",
        "version": _activity_version(kw),
    },
}
