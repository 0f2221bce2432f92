"""Documents through the API (meetings, library, agreements, activities, aid, solutions), and
meeting participants with their invitations: uploads take the pages' check and messages, a refused
file writes nothing, downloads keep the readers' permissions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from icalendar import Calendar

from kembar.activities import services as activities
from kembar.agreements import services as agreements
from kembar.agreements.models import ProcedureTemplate, StageDocument
from kembar.meetings import services as meetings
from kembar.meetings.models import Attachment, LibraryItem, Participant
from kembar.partnerships import services as registry
from kembar.solutions import services as solutions
from tests.support.clients import bearer
from tests.support.files import docx_bytes, pdf_bytes, png_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
UTC = dt.UTC
START = dt.datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def world(users, governments):
    """Bandung–Braunschweig (not public) with a meeting, an agreement at its first stage, an
    activity, an aid shipment; and a public solution of Bandung."""
    admin = users["platform_admin"]
    bandung, braunschweig = governments["bandung"], governments["braunschweig"]
    p = registry.create_partnership(admin, bandung, braunschweig, public=False)
    meeting = meetings.schedule_meeting(
        admin,
        p,
        title="Smart city exchange",
        start=START,
        duration=60,
        video_link="https://meet.example.org/k",
        agenda="Welcome\nTraffic data",
    )
    agreement = agreements.advance(
        admin, agreements.create_agreement(admin, p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="MoU")
    )
    activity = activities.create_activity(
        admin,
        p,
        title="Angklung workshop",
        type="cultural_event",
        host=bandung,
        start=START,
        end=START + dt.timedelta(hours=2),
        public=False,
    )
    shipment = activities.create_aid(
        admin,
        p,
        title="Masks",
        donor=bandung,
        public=False,
        items=[{"name": "masks", "quantity": 100, "unit": "boxes"}],
    )
    solution = solutions.create_solution(
        admin,
        bandung,
        title="Flood early warning",
        summary="Sensors.",
        problem="Floods.",
        fields=["disaster"],
        public=True,
    )
    return {
        "partnership": p,
        "meeting": meeting,
        "stage": agreement.stages.get(status="active"),
        "activity": activity,
        "shipment": shipment,
        "solution": solution,
    }


# Every upload operation: its URL, the extra form fields it needs, and the rows it stores.
UPLOADS = {
    "meeting": (
        lambda w, g: f"/api/meetings/{w['meeting'].pk}/attachments",
        lambda w, g: {},
        lambda: Attachment.objects.count(),
    ),
    "library": (
        lambda w, g: "/api/library",
        lambda w, g: {"title": "Protokol", "government_id": g["bandung"].pk, "partnership_id": w["partnership"].pk},
        lambda: LibraryItem.objects.count(),
    ),
    "agreement": (
        lambda w, g: f"/api/agreements/stages/{w['stage'].pk}/documents",
        lambda w, g: {"title": "LoI"},
        lambda: StageDocument.objects.count(),
    ),
    "activity": (
        lambda w, g: f"/api/activities/{w['activity'].pk}/attachments",
        lambda w, g: {},
        lambda: w_count("activity"),
    ),
    "aid": (lambda w, g: f"/api/aid/{w['shipment'].pk}/documents", lambda w, g: {}, lambda: w_count("aid")),
    "solution": (
        lambda w, g: f"/api/solutions/{w['solution'].pk}/attachments",
        lambda w, g: {},
        lambda: w_count("solution"),
    ),
}


def w_count(kind: str) -> int:
    from kembar.activities.models import ActivityAttachment, AidDocument
    from kembar.solutions.models import SolutionAttachment

    return {"activity": ActivityAttachment, "aid": AidDocument, "solution": SolutionAttachment}[kind].objects.count()


def post_file(client, url: str, fields: dict, f, headers: dict):
    return client.post(url, {**fields, "file": f}, **headers)


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_upload_then_download_the_same_bytes(client, world, users, governments, kind):
    url, fields, count = UPLOADS[kind]
    editor = bearer(users["bandung_editor"])
    before = count()
    content = pdf_bytes("Laporan kegiatan")
    response = post_file(
        client,
        url(world, governments),
        fields(world, governments),
        upload("Laporan kegiatan (final).pdf", content),
        editor,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert count() == before + 1
    download = body["download"]
    assert download.startswith("/api/")
    got = client.get(download, **editor)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == content
    assert got["Content-Type"] == "application/pdf"
    assert got["X-Content-Type-Options"] == "nosniff" and "private" in got["Cache-Control"]
    assert 'filename="Laporan_kegiatan_final.pdf"' in got["Content-Disposition"]
    # Whoever cannot read the partnership's (non-public) documents does not learn they exist.
    assert client.get(download, **bearer(users["surabaya_editor"])).status_code == (200 if kind == "solution" else 404)
    assert client.get(download, **bearer(users["oversight"])).status_code == 200


REFUSED = [
    (
        "disguised",
        lambda: upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        "setup.pdf is not a valid PDF file: its content is not what its name says.",
    ),
    (
        "word_as_pdf",
        lambda: upload("nota.pdf", docx_bytes()),
        "nota.pdf is called .pdf but its content is Word (DOCX). Rename it or upload the right file.",
    ),
    (
        "unsupported",
        lambda: upload("notes.txt", b"plain text"),
        "notes.txt is not an accepted document type. Accepted: DOCX, JPEG, JPG, ODT, PDF, PNG, TIF, TIFF, WEBP.",
    ),
    (
        "oversized",
        lambda: upload("big.pdf", pdf_bytes() + b"%" * (1536 * 1024)),
        "big.pdf is 1.5 MB; files may be at most 1 MB.",
    ),
    ("empty", lambda: upload("empty.pdf", b""), "empty.pdf is empty."),
]


@pytest.mark.parametrize("kind", list(UPLOADS))
@pytest.mark.parametrize("name,make,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_file_is_a_422_on_file_and_writes_nothing(
    client, world, users, governments, settings, kind, name, make, message
):
    settings.KEMBAR_MAX_UPLOAD_MB = 1
    url, fields, count = UPLOADS[kind]
    before, files = count(), media_files()
    response = post_file(
        client, url(world, governments), fields(world, governments), make(), bearer(users["bandung_editor"])
    )
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": [{"field": "file", "message": message}]}
    assert count() == before and media_files() == files


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_uploads_need_an_editor_of_the_partner_office(client, world, users, governments, kind):
    url, fields, count = UPLOADS[kind]
    before, files = count(), media_files()
    viewer = post_file(
        client,
        url(world, governments),
        fields(world, governments),
        upload("a.pdf", pdf_bytes()),
        bearer(users["bandung_viewer"]),
    )
    assert viewer.status_code == 403, viewer.content
    outsider = post_file(
        client,
        url(world, governments),
        fields(world, governments),
        upload("a.pdf", pdf_bytes()),
        bearer(users["surabaya_editor"]),
    )
    # The solution is public (readable, so 403); the rest hang under a non-public partnership (404).
    # In the library Surabaya may not share for Bandung (403).
    assert outsider.status_code == {"solution": 403, "library": 403}.get(kind, 404), outsider.content
    anonymous = post_file(client, url(world, governments), fields(world, governments), upload("a.pdf", pdf_bytes()), {})
    assert anonymous.status_code == 401
    assert count() == before and media_files() == files


def test_an_upload_without_a_file_names_the_missing_part(client, world, users):
    response = client.post(f"/api/meetings/{world['meeting'].pk}/attachments", {}, **bearer(users["bandung_editor"]))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "file"


# --- the library -----------------------------------------------------------------------------


def test_library_item_with_a_document_is_found_by_a_word_in_its_body(client, world, users, governments):
    editor = bearer(users["bandung_editor"])
    response = client.post(
        "/api/library",
        {
            "title": "Protokol kesehatan",
            "government_id": governments["bandung"].pk,
            "public": "true",
            "fields": ["health", "smart_city"],
            "sdgs": ["3", "11"],
            "language": "id",
            "file": upload("protokol.docx", docx_bytes("Penanganan pandemi di puskesmas")),
        },
        **editor,
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["public"] and item["fields"] == ["health", "smart_city"] and item["sdgs"] == [3, 11]
    assert item["file_name"] == "protokol.docx" and item["has_file"]
    found = client.get("/api/library", {"q": "puskesmas"}).json()
    assert [i["id"] for i in found["items"]] == [item["id"]]
    got = client.get(item["download"])  # public: anyone downloads it
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")
    # Removing: only Bandung's office (or an administrator), as on the item's page.
    assert client.delete(f"/api/library/{item['id']}", **bearer(users["braunschweig_editor"])).status_code == 403
    assert client.delete(f"/api/library/{item['id']}", **editor).status_code == 204
    assert client.get(f"/api/library/{item['id']}").status_code == 404


def test_library_rules_are_the_pages_rules(client, world, users, governments):
    editor = bearer(users["bandung_editor"])
    no_note = client.post(
        "/api/library",
        {"title": "Kosong", "government_id": governments["bandung"].pk, "partnership_id": world["partnership"].pk},
        **editor,
    )
    assert no_note.status_code == 422
    assert no_note.json()["detail"] == [{"field": "summary", "message": "Write a note or attach a document."}]
    not_public = client.post(
        "/api/library", {"title": "Catatan", "government_id": governments["bandung"].pk, "summary": "Catatan"}, **editor
    )
    assert not_public.json()["detail"][0]["field"] == "public"
    for_others = client.post(
        "/api/library",
        {
            "title": "Catatan",
            "government_id": governments["braunschweig"].pk,
            "summary": "Catatan",
            "partnership_id": world["partnership"].pk,
        },
        **editor,
    )
    assert for_others.status_code == 403
    note = client.post(
        "/api/library",
        {
            "title": "Catatan rapat",
            "government_id": governments["bandung"].pk,
            "summary": "Catatan",
            "partnership_id": world["partnership"].pk,
        },
        **editor,
    )
    assert note.status_code == 201 and note.json()["download"] is None
    assert client.get(f"/api/library/{note.json()['id']}/file", **editor).status_code == 404


def media_folders() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_dir()] if root.exists() else []


def test_a_removed_library_document_is_gone_from_the_server(
    client, world, users, governments, django_capture_on_commit_callbacks
):
    editor = bearer(users["bandung_editor"])
    item = client.post(
        "/api/library",
        {
            "title": "Protokol",
            "government_id": governments["bandung"].pk,
            "public": "true",
            "file": upload("protokol.pdf", pdf_bytes()),
        },
        **editor,
    ).json()
    assert item.get("has_file"), item
    assert [Path(f).name for f in media_files()] == ["protokol.pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.delete(f"/api/library/{item['id']}", **bearer(users["braunschweig_editor"]))
    assert refused.status_code == 403 and len(media_files()) == 1  # a refused removal keeps it
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/library/{item['id']}", **editor).status_code == 204
    assert media_files() == []
    # The document's own folder went with it; the dated folders above it may stay.
    assert not [f for f in media_folders() if len(f.name) == 32]


def test_deleting_a_partnership_removes_the_documents_of_everything_in_it(
    client, world, users, django_capture_on_commit_callbacks
):
    admin = bearer(users["platform_admin"])
    for url in (
        f"/api/meetings/{world['meeting'].pk}/attachments",
        f"/api/activities/{world['activity'].pk}/attachments",
    ):
        assert client.post(url, {"file": upload("notulen.pdf", pdf_bytes())}, **admin).status_code == 201
    kept = client.post(
        "/api/library",
        {
            "title": "Panduan",
            "government_id": world["partnership"].government_a_id,
            "public": "true",
            "file": upload("panduan.docx", docx_bytes()),
        },
        **admin,
    )
    assert kept.status_code == 201 and len(media_files()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/partnerships/{world['partnership'].pk}", **admin).status_code == 204
    assert [Path(f).name for f in media_files()] == ["panduan.docx"]  # the library item is not the partnership's


# --- agreements, solutions -------------------------------------------------------------------


def test_a_stage_document_under_the_same_title_is_its_next_version(client, world, users):
    editor = bearer(users["bandung_editor"])
    url = f"/api/agreements/stages/{world['stage'].pk}/documents"
    first = client.post(url, {"title": "Surat minat", "file": upload("loi.pdf", pdf_bytes())}, **editor).json()
    second = client.post(url, {"title": "Surat minat", "file": upload("loi-2.pdf", pdf_bytes("v2"))}, **editor).json()
    assert (first["version"], second["version"]) == (1, 2) and second["filename"] == "loi-2.pdf"
    stages = client.get(f"/api/agreements/{world['stage'].agreement_id}", **editor).json()["stages"]
    listed = [d["download"] for s in stages for d in s["documents"]]
    assert second["download"] in listed and first["download"] in listed


def test_a_solution_attachment_moves_the_solution_version_on(client, world, users):
    solution = world["solution"]
    response = client.post(
        f"/api/solutions/{solution.pk}/attachments",
        {"file": upload("brosur.png", png_bytes())},
        **bearer(users["bandung_editor"]),
    )
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    assert len(response.json()["sha256"]) == 64
    assert client.get(f"/api/solutions/{solution.pk}").json()["version"] == solution.version + 1
    assert client.get(f"/api/solutions/{solution.pk}/attachments").json()["count"] == 1


# --- meeting participants and invitations ----------------------------------------------------


def test_participants_added_changed_and_removed(client, world, users, governments):
    meeting, editor = world["meeting"], bearer(users["braunschweig_editor"])
    url = f"/api/meetings/{meeting.pk}/participants"
    added = client.post(
        url,
        {"government_id": governments["braunschweig"].pk, "name": "Frau Weber", "email": "weber@braunschweig.example"},
        content_type="application/json",
        **editor,
    )
    assert added.status_code == 201, added.content
    pid = added.json()["id"]
    assert added.json()["invitation"] == f"/api/meetings/{meeting.pk}/participants/{pid}/invitation.ics"
    changed = client.patch(f"{url}/{pid}", {"name": "Dr. Weber"}, content_type="application/json", **editor)
    assert changed.status_code == 200 and changed.json()["name"] == "Dr. Weber"
    assert changed.json()["email"] == "weber@braunschweig.example"
    kyoto = client.patch(
        f"{url}/{pid}", {"government_id": governments["kyoto"].pk}, content_type="application/json", **editor
    )
    assert kyoto.status_code == 422
    assert kyoto.json()["detail"] == [{"field": "government_id", "message": "Kyoto is not a side of this meeting."}]
    bad_mail = client.post(
        url,
        {"government_id": governments["bandung"].pk, "name": "Ibu Sari", "email": "sari@"},
        content_type="application/json",
        **editor,
    )
    assert bad_mail.status_code == 422 and bad_mail.json()["detail"][0]["field"] == "email"
    assert Participant.objects.filter(meeting=meeting).count() == 1
    assert client.get(url, **bearer(users["bandung_viewer"])).json()["count"] == 1
    assert client.delete(f"{url}/{pid}", **bearer(users["bandung_viewer"])).status_code == 403
    assert client.get(url, **bearer(users["surabaya_editor"])).status_code == 404
    assert client.delete(f"{url}/{pid}", **editor).status_code == 204
    assert client.get(url, **editor).json()["count"] == 0


def test_the_invitation_is_in_the_participants_time_zone(client, world, users, governments):
    meeting = world["meeting"]
    weber = meetings.add_participant(
        users["platform_admin"], meeting, governments["braunschweig"], "Frau Weber", "weber@braunschweig.example"
    )
    response = client.get(
        f"/api/meetings/{meeting.pk}/participants/{weber.pk}/invitation.ics", **bearer(users["bandung_viewer"])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "private, no-store"
    page = client.get(f"/meetings/participants/{weber.pk}/invitation.ics")  # anonymous: the page asks to log in
    assert page.status_code == 302
    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt == dt.datetime(2026, 11, 25, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert start.dt.astimezone(UTC) == START and event["DTEND"].dt.astimezone(UTC) == START + dt.timedelta(hours=1)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["ATTENDEE"]) == "mailto:weber@braunschweig.example"
    assert event["ATTENDEE"].params["CN"] == "Frau Weber"
    # The same bytes as the page's invitation, apart from the moment it was made.
    client.force_login(users["bandung_viewer"])
    page = client.get(f"/meetings/participants/{weber.pk}/invitation.ics")
    strip = lambda b: [line for line in b.splitlines() if not line.startswith(b"DTSTAMP")]  # noqa: E731
    assert strip(page.content) == strip(response.content)
    other = client.get(f"/api/meetings/{meeting.pk}/participants/{weber.pk + 999}/invitation.ics")
    assert other.status_code == 404


def test_invitations_are_sent_by_email(client, world, users, governments):
    meeting, admin = world["meeting"], users["platform_admin"]
    meetings.add_participant(admin, meeting, governments["braunschweig"], "Frau Weber", "weber@braunschweig.example")
    meetings.add_participant(admin, meeting, governments["bandung"], "Ibu Sari", "sari@bandung.example")
    meetings.add_participant(admin, meeting, governments["bandung"], "Pak Budi")  # no address: no mail
    url = f"/api/meetings/{meeting.pk}/invitations"
    assert client.post(url, **bearer(users["bandung_viewer"])).status_code == 403
    assert len(mail.outbox) == 0
    response = client.post(url, **bearer(users["bandung_editor"]))
    assert response.status_code == 200 and response.json() == {"sent": 2, "status": "invited"}
    assert sorted(m.to[0] for m in mail.outbox) == ["sari@bandung.example", "weber@braunschweig.example"]
    weber = next(m for m in mail.outbox if m.to == ["weber@braunschweig.example"])
    assert "00:00 (CET)" in weber.body
    name, ics, mimetype = weber.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(event["ATTENDEE"]) == "mailto:weber@braunschweig.example"


# --- lists: a constant number of queries -------------------------------------------------------


def _grow(world, users, governments, n: int) -> None:
    admin = users["platform_admin"]
    for i in range(n):
        meetings.add_participant(admin, world["meeting"], governments["bandung"], f"Peserta {i}", f"p{i}@example.org")
        meetings.add_attachment(admin, world["meeting"], upload(f"a{i}.pdf", pdf_bytes()))
        f = upload(f"a{i}.pdf", pdf_bytes())
        from kembar.core.uploads import check_upload

        activities.attach(admin, world["activity"], f, check_upload(f))
        f = upload(f"d{i}.pdf", pdf_bytes())
        activities.attach_aid_document(admin, world["shipment"], f, check_upload(f))
        solutions.update_solution(admin, world["solution"], attachments=[upload(f"s{i}.pdf", pdf_bytes())])


def test_the_new_lists_take_a_constant_number_of_queries(client, world, users, governments):
    w = world
    urls = [
        f"/api/meetings/{w['meeting'].pk}/participants",
        f"/api/meetings/{w['meeting'].pk}/attachments",
        f"/api/activities/{w['activity'].pk}/attachments",
        f"/api/aid/{w['shipment'].pk}/documents",
        f"/api/solutions/{w['solution'].pk}/attachments",
    ]
    client.force_login(users["bandung_viewer"])

    _grow(w, users, governments, 1)
    for url in urls:  # the first request of a session warms caches up
        assert client.get(url).status_code == 200
    with assert_constant_queries() as queries:
        for url in urls:
            with queries.few(url):
                assert client.get(url).status_code == 200
        _grow(w, users, governments, 6)
        assert all(client.get(url).json()["count"] == 7 for url in urls)
        for url in urls:
            with queries.many(url):
                assert client.get(url).status_code == 200
