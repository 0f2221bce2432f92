"""Demo meetings and library items (called from kembar/dashboard/demo.py; idempotent)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from kembar.partnerships.models import LocalGovernment, Partnership

from .models import ActionItem, LibraryItem, Meeting, Participant
from .services import normalise_text

UTC = dt.UTC
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
DEMO_NOTE = "Demo data: set relative to the day the demo was loaded."

# So that a fresh demo's dashboard has a coming week: a meeting three days after the day the demo
# is loaded (20:00 in Bandung, the morning in Fort Worth) and an action item four days overdue.
COMING_MEETING = "Bandung–Fort Worth: student exchange 2027"
COMING_AGENDA = "Student exchange 2027: dates and places\nVirtual visit of the Bandung Command Center\n" + DEMO_NOTE
OVERDUE_ACTION = ("Send Fort Worth the programme of the Command Center visit", "Bagian Kerja Sama", "bandung", -4)

PANDEMIC = (
    "Protokol penanganan pandemi COVID-19 Kota Bandung",
    "Ringkasan protokol penanganan pandemi: pelacakan kontak oleh puskesmas, isolasi terpusat, "
    "distribusi masker dan alat kesehatan dari kota mitra, serta vaksinasi keliling di setiap kecamatan.",
)
SMART_CITY = (
    "Smart-city practice: adaptive traffic signals",
    "How Fort Worth retimed 300 intersections with adaptive traffic signals and open traffic data; "
    "notes from the exchange with Bandung Command Center.",
)
PORT = (
    "Catatan praktik pelabuhan hijau Surabaya–Liverpool",
    "Pertukaran praktik pelabuhan hijau dan kota pintar antara Surabaya dan Liverpool: listrik darat untuk "
    "kapal, data kualitas udara terbuka.",
)

# The Bandung–Fort Worth meeting's participants (government key, name, e-mail) and action items
# (text, owner, government key, due).
PARTICIPANTS = [
    ("bandung", "Bagian Kerja Sama Kota Bandung", "kerjasama@bandung.example"),
    ("fort_worth", "Fort Worth International Office", "international@fortworth.example"),
]
ACTION_ITEMS = [
    ("Send the anonymised traffic dataset", "Dinas Perhubungan", "bandung", dt.date(2026, 12, 15)),
    ("Share the signal retiming method", "Transportation Dept.", "fort_worth", dt.date(2026, 12, 4)),
    ("Propose dates for the student exchange", "Dinas Pendidikan", "bandung", dt.date(2026, 11, 30)),
]


def _pair(a: LocalGovernment, b: LocalGovernment) -> Partnership | None:
    ga, gb = sorted([a, b], key=lambda g: g.pk)
    return Partnership.objects.filter(government_a=ga, government_b=gb).first()


def load(governments: dict[str, LocalGovernment]) -> None:
    bandung, fort_worth = governments["bandung"], governments["fort_worth"]
    partnership = _pair(bandung, fort_worth)
    if partnership is None:
        return
    meeting, made = Meeting.objects.get_or_create(
        partnership=partnership,
        title="Bandung–Fort Worth smart city exchange",
        defaults={
            "start": dt.datetime(2026, 11, 23, 23, 0, tzinfo=UTC),
            "duration": 60,
            "video_link": "https://meet.example.org/bandung-fort-worth",
            "status": Meeting.Status.HELD,
            "agenda": "Welcome and introductions\nAdaptive traffic signals in Fort Worth\n"
            "Bandung Command Center\nStudent exchange 2027",
            "minutes": "Both offices presented their traffic data programmes. Fort Worth offered to share "
            "its signal timing method; Bandung will host a virtual visit of its Command Center.",
            "decisions": "Exchange traffic datasets under an open licence\nPlan the 2027 student exchange",
        },
    )
    if made:
        Participant.objects.bulk_create(
            [
                Participant(meeting=meeting, government=governments[key], name=name, email=email)
                for key, name, email in PARTICIPANTS
            ]
        )
        ActionItem.objects.bulk_create(
            [
                ActionItem(meeting=meeting, text=text, owner=owner, government=governments[key], due=due)
                for text, owner, key, due in ACTION_ITEMS
            ]
        )
    _coming(partnership, meeting, governments)
    items = [
        (PANDEMIC, bandung, partnership, "id", ["health"], [3, 11]),
        (SMART_CITY, fort_worth, partnership, "en", ["smart_city"], [9, 11]),
    ]
    surabaya, liverpool = governments.get("surabaya"), governments.get("liverpool")
    if surabaya and liverpool and _pair(surabaya, liverpool):
        items.append((PORT, surabaya, _pair(surabaya, liverpool), "id", ["smart_city", "environment"], [11, 13]))
    for (title, summary), government, p, language, fields, sdgs in items:
        LibraryItem.objects.get_or_create(
            title=title,
            defaults={
                "government": government,
                "partnership": p,
                "summary": summary,
                "language": language,
                "fields": fields,
                "sdgs": sdgs,
                "public": True,
                "search_text": normalise_text(f"{title} {summary}"),
            },
        )


def _coming(partnership: Partnership, held: Meeting, governments: dict[str, LocalGovernment]) -> None:
    """The meeting of the coming days and the overdue action item, dated from today in Bandung
    (kept as they are when the demo is loaded again)."""
    today = timezone.now().astimezone(JAKARTA).date()
    day = today + dt.timedelta(days=3)
    coming, made = Meeting.objects.get_or_create(
        partnership=partnership,
        title=COMING_MEETING,
        defaults={
            "start": dt.datetime(day.year, day.month, day.day, 20, 0, tzinfo=JAKARTA).astimezone(UTC),
            "duration": 60,
            "video_link": "https://meet.example.org/bandung-fort-worth",
            "status": Meeting.Status.PLANNED,
            "agenda": COMING_AGENDA,
        },
    )
    if made:
        Participant.objects.bulk_create(
            [
                Participant(meeting=coming, government=governments[key], name=name, email=email)
                for key, name, email in PARTICIPANTS
            ]
        )
    text, owner, key, days = OVERDUE_ACTION
    ActionItem.objects.get_or_create(
        meeting=held,
        text=text,
        defaults={"owner": owner, "government": governments[key], "due": today + dt.timedelta(days=days)},
    )
