"""export-activities and import-activities: CSV, XLSX and iCalendar; the round trip; row-level reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import icalendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kembar.activities import exchange, recurrence, services
from kembar.activities.models import Activity
from kembar.partnerships import services as partnership_services

pytestmark = pytest.mark.django_db
UTC = dt.UTC
COMPARED = [c for c in exchange.COLUMNS if c not in ("id",)]


@pytest.fixture
def recorded(users, governments):
    admin = users["platform_admin"]
    p = partnership_services.create_partnership(admin, governments["bandung"], governments["braunschweig"])
    q = partnership_services.create_partnership(admin, governments["surabaya"], governments["busan"])
    start = dt.datetime(2026, 10, 3, 12, tzinfo=UTC)
    made = [
        services.create_activity(
            admin,
            p,
            title='Festival, "Bandung" week',
            type="cultural_event",
            field="culture",
            host=governments["bandung"],
            start=start,
            end=start + dt.timedelta(hours=3),
            recurrence="FREQ=YEARLY;INTERVAL=2",
            exceptions=[start + dt.timedelta(days=730)],
            location="Gedung Sate",
            description="Line one\nline two",
            participants_a=120,
            participants_b=15,
            breakdown={"a": {"female": 70, "male": 50}},
            budget=Decimal("250000000.50"),
            currency="IDR",
            outcomes="Two MoUs",
            sdg_targets=["4", "11.4"],
            public=True,
        ),
        services.create_activity(
            admin,
            p,
            title="Planning call",
            type="information_exchange",
            modality="virtual",
            host=governments["braunschweig"],
            start=start,
            end=start + dt.timedelta(hours=1),
            public=False,
        ),
        services.create_activity(
            admin,
            q,
            title="Port study visit",
            type="work_visit",
            host=governments["busan"],
            start=start,
            end=start + dt.timedelta(days=2),
            public=True,
        ),
    ]
    services.postpone(admin, made[2], reason="Typhoon")
    return made


def _csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_export_import_round_trip_csv_and_xlsx(tmp_path, recorded):
    path = tmp_path / "all.csv"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(path))
    rows = _csv(path)
    assert [r["title"] for r in rows] == ['Festival, "Bandung" week', "Planning call"]  # both, public or not
    assert rows[0]["start"] == "2026-10-03T12:00:00Z" and rows[0]["start_local"] == "2026-10-03 19:00 WIB"
    xlsx = tmp_path / "all.xlsx"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "xlsx", "--output", str(xlsx))
    Activity.objects.filter(partnership=recorded[0].partnership).delete()
    out = io.StringIO()
    call_command("import_activities", str(path), "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "rows_read": 2,
        "created": 2,
        "updated": 0,
        "rejected": 0,
    }
    again = tmp_path / "again.csv"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(again))
    assert [{k: r[k] for k in COMPARED} for r in _csv(again)] == [{k: r[k] for k in COMPARED} for r in rows]
    # The same file again updates (ids now match); the XLSX of the original ids creates anew.
    out = io.StringIO()
    call_command("import_activities", str(again), "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue().strip().splitlines()[-1])["updated"] == 2
    out = io.StringIO()
    call_command("import_activities", str(xlsx), "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "rows_read": 2,
        "created": 2,
        "updated": 0,
        "rejected": 0,
    }


def test_import_reports_every_bad_row_and_imports_nothing(tmp_path, recorded):
    path = tmp_path / "x.csv"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(path))
    rows = _csv(path)
    good, bad = dict(rows[0], id="", title="New row"), dict(rows[1], id="", type="party", currency="XYZ", budget="10")
    worse = dict(rows[1], id="", end="2020-01-01T00:00:00Z", host="Kyoto,JP")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=exchange.COLUMNS)
        w.writeheader()
        w.writerows([good, bad, worse])
    before = Activity.objects.count()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 of 3 rows were rejected"):
        call_command("import_activities", str(path), "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {"rows_read": 3, "created": 0, "updated": 0, "rejected": 2}
    report = err.getvalue()
    assert "row 3: rejected: type: Unknown activity type “party”." in report
    assert "currency: “XYZ” is not an ISO 4217 currency code" in report
    assert "row 4: rejected: host: The host “Kyoto,JP” is neither partner" in report
    assert Activity.objects.count() == before  # the good row is not kept either: all or nothing


def test_the_public_export_leaves_out_public_activities_of_private_partnerships(tmp_path, recorded, users, governments):
    admin = users["platform_admin"]
    private = partnership_services.create_partnership(
        admin, governments["bandung"], governments["liverpool"], public=False
    )
    start = dt.datetime(2026, 11, 5, 2, tzinfo=UTC)
    services.create_activity(
        admin,
        private,
        title="Confidential exploratory talks",
        type="information_exchange",
        host=governments["bandung"],
        start=start,
        end=start + dt.timedelta(hours=1),
        public=True,
    )
    for fmt in ("csv", "ics"):
        path = tmp_path / f"public.{fmt}"
        call_command("export_activities", "--format", fmt, "--output", str(path), stderr=io.StringIO())
        text = path.read_text(encoding="utf-8")
        assert "Port study visit" in text and "Confidential exploratory talks" not in text, fmt
    bandung = tmp_path / "bandung.csv"  # the government's own export is for its office: everything
    call_command(
        "export_activities",
        "--government",
        "Bandung,ID",
        "--format",
        "csv",
        "--output",
        str(bandung),
        stderr=io.StringIO(),
    )
    assert "Confidential exploratory talks" in [r["title"] for r in _csv(bandung)]


def test_public_export_and_the_ics_format(tmp_path, recorded, client):
    path = tmp_path / "public.csv"
    call_command("export_activities", "--format", "csv", "--output", str(path), stderr=io.StringIO())
    assert sorted(r["title"] for r in _csv(path)) == ['Festival, "Bandung" week', "Port study visit"]
    ics = tmp_path / "bandung.ics"
    call_command(
        "export_activities",
        "--government",
        "Bandung,ID",
        "--format",
        "ics",
        "--output",
        str(ics),
        "--base-url",
        "http://testserver/",
        stderr=io.StringIO(),
    )
    bandung = recorded[0].host
    served = client.get(f"/events/calendar/governments/{bandung.pk}.ics").content
    strip = lambda b: [line for line in b.decode().splitlines() if not line.startswith("DTSTAMP")]  # noqa: E731
    assert strip(ics.read_bytes()) == strip(served)
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")] == [
        'Festival, "Bandung" week'
    ]


def test_demo_tells_the_story_once(client):
    from kembar.activities.demo_history import EVENTS
    from kembar.dashboard.demo import load_demo

    first = load_demo()
    # The story's two, the coming week's one, and ten years of history (kembar/activities/demo_history.py).
    assert first["activities"] == 3 + len(EVENTS) and first["calls"] == 1 and first["aid shipments"] == 2
    assert "activities" not in load_demo()  # idempotent
    jjw = Activity.objects.get(title="Jogja-Japan Week")
    editions = {
        o.planned_start.year: o for o in recurrence.occurrences(jjw, before=dt.datetime(2023, 1, 1, tzinfo=UTC))
    }
    assert sorted(editions) == [2016, 2018, 2020, 2022] and editions[2020].postponed and editions[2020].date_tbd
    assert not editions[2018].postponed
    meeting = Activity.objects.get(title__startswith="Sister-city meeting Bandung")
    assert meeting.modality == "virtual" and meeting.planned_modality == "in_person"
    page = client.get("/events/").content.decode()
    assert "Jogja-Japan Week" in page and "Kyoto Prefecture scholarship for Yogyakarta students" in page


def test_exports_neutralise_formulas_and_control_characters(tmp_path, recorded, governments):
    """An outside test: `=HYPERLINK(...)` in a title became a live formula in the XLSX export, and a
    name holding \x0b crashed it."""
    from openpyxl import load_workbook

    hostile = '=HYPERLINK("http://evil.example","click")'
    Activity.objects.filter(pk=recorded[0].pk).update(title=hostile, location="-2+3", outcomes="Line\x0bbreak")
    path = tmp_path / "all.csv"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(path))
    first = _csv(path)[0]
    assert first["title"] == "'" + hostile and first["location"] == "'-2+3"
    xlsx = tmp_path / "all.xlsx"
    call_command("export_activities", "--government", "Bandung,ID", "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in sheet[1]]
    title = sheet.cell(row=2, column=header.index("title") + 1)
    assert title.value == hostile and title.data_type == "s"  # text, not a formula
    assert sheet.cell(row=2, column=header.index("outcomes") + 1).value == "Linebreak"
    # Importing the export gives the title back as it was written, without the apostrophe.
    rows = dict(exchange.read_rows(path))
    assert rows[2]["title"] == hostile


def test_a_file_of_only_the_required_columns_takes_the_defaults_and_keeps_what_it_leaves_out(tmp_path, recorded):
    """The columns the docs list as optional may be left out, or their cells left empty: a new
    activity takes the form's defaults (in person, planned, not public), an updated one keeps
    its own values. Such a file used to be refused row by row for its empty modality and status."""
    festival, planning_call = recorded[0], recorded[1]
    partnership = festival.partnership
    path = tmp_path / "short.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "partnership_id", "title", "type", "host", "start", "end", "modality", "status"])
        w.writerow(["", partnership.pk, "Angklung class", "language_training", "Bandung,ID",
                    "2027-02-01T02:00:00Z", "2027-02-01T04:00:00Z", "", ""])  # fmt: skip
        w.writerow([planning_call.pk, partnership.pk, "Planning call II", "information_exchange",
                    "Braunschweig,DE", "2026-10-03T12:00:00Z", "2026-10-03T13:00:00Z", "", ""])  # fmt: skip
    out = io.StringIO()
    call_command("import_activities", str(path), "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "rows_read": 2,
        "created": 1,
        "updated": 1,
        "rejected": 0,
    }
    new = Activity.objects.get(title="Angklung class")
    assert (new.modality, new.status, new.public, new.date_tbd, new.location, new.currency) == (
        "in_person",
        "planned",
        False,
        False,
        "",
        "",
    )
    assert new.host.name == "Bandung" and new.start == dt.datetime(2027, 2, 1, 2, tzinfo=UTC)
    updated = Activity.objects.get(pk=planning_call.pk)
    assert (updated.title, updated.modality, updated.status, updated.public) == (
        "Planning call II",
        "virtual",  # kept: the cell was empty
        "planned",
        False,
    )
    assert updated.version == planning_call.version + 1


def test_an_update_that_leaves_columns_out_keeps_their_values(tmp_path, recorded):
    festival = recorded[0]
    path = tmp_path / "titles.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "partnership_id", "title", "type", "host", "start", "end"])
        w.writerow([festival.pk, festival.partnership_id, "Festival renamed", festival.type, "Bandung,ID",
                    "2026-10-03T12:00:00Z", "2026-10-03T15:00:00Z"])  # fmt: skip
    call_command("import_activities", str(path), stdout=io.StringIO())
    after = Activity.objects.get(pk=festival.pk)
    assert after.title == "Festival renamed"
    kept = ["field", "location", "description", "participants_a", "breakdown", "budget", "currency", "outcomes"]
    kept += ["sdg_targets", "recurrence", "exceptions", "public", "modality", "status"]
    assert {k: getattr(after, k) for k in kept} == {k: getattr(festival, k) for k in kept}


def test_an_xlsx_that_unpacks_to_far_more_than_an_upload_is_refused_before_reading(tmp_path, settings):
    import zipfile

    from django.core.management.base import CommandError

    settings.KEMBAR_MAX_UPLOAD_MB = 1  # spreadsheets may unpack to 5 MB
    path = tmp_path / "activities.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 2**20))
    with pytest.raises(CommandError, match="activities.xlsx unpacks to 8 MB; documents may unpack to at most 5 MB"):
        call_command("import_activities", str(path))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"foo,bar\n1,2\n", "does not have the columns of export-activities (unknown: bar, foo"),
        (None, "is not UTF-8 text"),
        (b"PK\x03\x04 not really a spreadsheet", "cannot be read as XLSX"),
    ],
)
def test_a_file_that_cannot_be_imported_writes_nothing_and_says_why(tmp_path, recorded, content, message):
    """An outside test: a bad byte near the end committed 91 rows first; a corrupt XLSX ended in a
    traceback; a file with the header foo,bar was not refused and exited 0."""
    if content is None:  # the export, with one bad byte in its last row
        path = tmp_path / "x.csv"
        call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(path))
        rows = [dict(r, id="") for r in _csv(path)]  # new rows: a partial import would add them
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=exchange.COLUMNS)
            w.writeheader()
            w.writerows(rows)
        data = path.read_bytes()
        path.write_bytes(data[:-5] + b"\xff" + data[-4:])
    else:
        path = tmp_path / ("x.xlsx" if content.startswith(b"PK") else "x.csv")
        path.write_bytes(content)
    before = Activity.objects.count()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_activities", str(path))
    assert Activity.objects.count() == before
