"""Demo meetings and library items (called from kembar/dashboard/demo.py; idempotent)."""

from __future__ import annotations

import datetime as dt

from kembar.partnerships.models import LocalGovernment, Partnership

from .models import ActionItem, LibraryItem, Meeting, Participant
from .services import normalise_text

UTC = dt.UTC

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
