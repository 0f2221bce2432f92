"""Meetings and library items: the Smart city exchange most meeting tests schedule, and the
rows of the permission sweep's world (tests/test_permission_sweep.py)."""

from __future__ import annotations

import datetime as dt

from kembar.meetings import services
from tests.support.files import docx_bytes, upload

UTC = dt.UTC


def new_meeting(user, partnership, **kwargs):
    """The Bandung–Fort Worth smart city exchange (24 November 2026, 23:00 UTC, an hour), as
    `user` schedules it; keyword arguments change any of it."""
    data = {
        "title": "Smart city exchange",
        "start": dt.datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
        "duration": 60,
        "video_link": "https://meet.example.org/kembar",
        "agenda": "Welcome\nTraffic data\nNext steps",
    }
    return services.schedule_meeting(user, partnership, **{**data, **kwargs})


def sweep_world(w, private_note: str) -> None:
    """A meeting of the sweep's private partnership with everything hanging under it, and a
    private and a public library item; the private ones carry the private marker."""
    admin, bandung = w.users["platform_admin"], w.governments["bandung"]
    w.meeting = new_meeting(admin, w.private, title="Sweep meeting")
    w.meeting = services.record_minutes(admin, w.meeting, minutes=f"Minutes. {private_note}")
    w.participant = services.add_participant(admin, w.meeting, bandung, "Ibu Sari", "sari@bandung.example")
    w.action = services.add_action_item(
        admin, w.meeting, text="Send data", owner="Pak Budi", government=bandung, due=dt.date(2026, 12, 1)
    )
    w.attachment = services.add_attachment(admin, w.meeting, upload("notulen.docx", docx_bytes("Notulen")))
    w.private_item = services.share_item(
        admin,
        government=bandung,
        partnership=w.private,
        title="Sweep item",
        summary=f"Catatan. {private_note}",
        upload=upload("catatan.docx", docx_bytes("Catatan")),
    )
    w.public_item = services.share_item(
        admin, government=bandung, title="Public item", summary="Praktik baik", public=True
    )
