"""The demo's ten years of cooperation, 2016–2026: what the pivot analytics and the dashboard
have to tell — in person before the pandemic, postponed or moved online in 2020–21, in person
and hybrid again after.

Each event says where it comes from in its description: "Source: …" names the public page an
event was taken from (its date and place as published; a time of day a source does not give
is the demo's); every other event ends "Demo data." — invented to fill the story, on real
partnerships. Loaded by `kembar.activities.demo.load`; idempotent (by partnership and title).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kembar.activities.models import Activity, government_zone
from kembar.partnerships.models import LocalGovernment, Partnership

from . import services

DEMO_NOTE = "Demo data."


@dataclass(frozen=True)
class Event:
    pair: tuple[str, str]  # the demo's government keys (kembar/dashboard/demo.py)
    host: str
    title: str
    type: str
    field: str
    start: tuple[int, ...]  # local time at the host: year, month, day, hour[, minute]
    end: tuple[int, ...]
    about: str
    modality: str = "in_person"
    planned: str = ""  # planned in person, then moved to `modality` (recorded as a change)
    status: str = "held"
    postponed: str = ""  # the reason, when it was postponed with no new date
    location: str = ""
    source: str = ""  # the public page the event is taken from; empty: demo data
    sdg: tuple[str, ...] = ("17",)
    participants: tuple[int, int] | None = None  # of pair[0]'s side and of pair[1]'s


PANDEMIC_MOVE = "Travel restrictions during the COVID-19 pandemic."

EVENTS = [
    # --- Jakarta – Berlin: the smart-city partnership (real, from public sources) -----------------
    Event(
        ("jakarta", "berlin"),
        "jakarta",
        "Integrated expert from Berlin at Jakarta City Hall",
        "expert_dispatch",
        "smart_city",
        (2019, 2, 1, 9),
        (2024, 1, 31, 17),
        "A Berlin expert worked inside Jakarta's administration on municipal digitalisation and "
        "smart-city innovation, funded by Germany's development ministry.",
        location="Jakarta City Hall",
        source="Berlin Senate Chancellery, “Städtepartnerschaft Jakarta”, berlin.de (February 2019 – January 2024)",
        sdg=("11.3", "17"),
    ),
    Event(
        ("jakarta", "berlin"),
        "jakarta",
        "The Good Idea Jam: 25 years of Jakarta–Berlin",
        "information_exchange",
        "smart_city",
        (2019, 8, 1, 9),
        (2019, 8, 1, 17),
        "Start-ups and both administrations looked for solutions on smart city, urban mobility and "
        "urban environment, for the partnership's 25th anniversary.",
        location="Balai Agung, Jakarta City Hall",
        source="beritajakarta.id, “City-Berlin Celebrates 25 Years as Sister Cities”, 2 August 2019",
        sdg=("11.2", "11.6", "17"),
    ),
    Event(
        ("jakarta", "berlin"),
        "jakarta",
        "Smart Change: urban governance and innovation in Jakarta",
        "smart_city_project",
        "smart_city",
        (2019, 12, 1, 9),
        (2023, 12, 31, 17),
        "A joint project on digitalisation, smart-city innovation and start-ups, funded by the EU's "
        "Partnerships for Sustainable Cities programme.",
        modality="hybrid",
        source="Berlin Senate Chancellery, “Städtepartnerschaft Jakarta”, berlin.de (December 2019 – 2023)",
        sdg=("11.3", "16", "17"),
    ),
    Event(
        ("jakarta", "berlin"),
        "berlin",
        "Smart Change workshop: open data for city services",
        "information_exchange",
        "smart_city",
        (2020, 6, 16, 9),
        (2020, 6, 16, 12),
        "Planned as a study visit to Berlin; held online.",
        modality="virtual",
        planned="in_person",
        sdg=("11.3", "17"),
    ),
    Event(
        ("jakarta", "berlin"),
        "jakarta",
        "Smart Change: online knowledge sharing on the Smart City Action Plan",
        "information_exchange",
        "smart_city",
        (2021, 10, 12, 15),
        (2021, 10, 12, 17),
        "Both cities' smart-city teams compare their action plans.",
        modality="virtual",
        sdg=("11.3", "17"),
    ),
    Event(
        ("jakarta", "berlin"),
        "berlin",
        "Jakarta delegation at the Berlin smart-city conference",
        "work_visit",
        "smart_city",
        (2023, 5, 9, 9),
        (2023, 5, 11, 17),
        "A delegation from Jakarta's communications and informatics office.",
        sdg=("11.3", "17"),
        participants=(6, 8),
    ),
    Event(
        ("jakarta", "berlin"),
        "jakarta",
        "Jakarta–Berlin urban mobility exchange",
        "expert_dispatch",
        "urban",
        (2025, 9, 15, 9),
        (2025, 9, 19, 16),
        "Berlin transport planners with Jakarta's integrated public transport programme.",
        modality="hybrid",
        sdg=("11.2", "17"),
    ),
    # --- Bandung – Fort Worth --------------------------------------------------------------------
    Event(
        ("bandung", "fort_worth"),
        "bandung",
        "Youth ambassadors from Fort Worth in Bandung",
        "student_exchange",
        "youth_sport",
        (2016, 7, 11, 9),
        (2016, 7, 22, 17),
        "High-school students stay with host families and visit schools.",
        sdg=("4", "17"),
        participants=(12, 10),
    ),
    Event(
        ("bandung", "fort_worth"),
        "fort_worth",
        "Nursing “train the trainers” programme",
        "expert_dispatch",
        "health",
        (2017, 4, 3, 8),
        (2017, 4, 14, 16),
        "Nurse educators from Bandung train with Fort Worth's university nursing programme.",
        sdg=("3", "4"),
        participants=(4, 6),
    ),
    Event(
        ("bandung", "fort_worth"),
        "fort_worth",
        "Municipal wastewater internship",
        "expert_dispatch",
        "environment",
        (2018, 9, 10, 8),
        (2018, 9, 28, 16),
        "Two Bandung engineers at Fort Worth's water utility.",
        sdg=("6", "11.6"),
        participants=(2, 3),
    ),
    Event(
        ("bandung", "fort_worth"),
        "fort_worth",
        "Bandung trade mission to Texas",
        "trade_mission",
        "trade",
        (2019, 6, 17, 9),
        (2019, 6, 21, 17),
        "Creative-industry and textile firms from Bandung meet buyers in Fort Worth.",
        sdg=("8", "17"),
    ),
    Event(
        ("bandung", "fort_worth"),
        "bandung",
        "Bandung–Fort Worth virtual meeting: schools in the pandemic",
        "information_exchange",
        "education",
        (2021, 2, 23, 20),
        (2021, 2, 23, 21, 30),
        "Online learning and school reopening in both cities.",
        modality="virtual",
        sdg=("4", "17"),
    ),
    Event(
        ("bandung", "fort_worth"),
        "bandung",
        "Bandung–Fort Worth virtual meeting: vaccination",
        "information_exchange",
        "health",
        (2021, 6, 8, 20),
        (2021, 6, 8, 21, 30),
        "How each city organised vaccination centres.",
        modality="virtual",
        sdg=("3", "17"),
    ),
    Event(
        ("bandung", "fort_worth"),
        "bandung",
        "Bandung–Fort Worth virtual meeting: the student exchange",
        "information_exchange",
        "education",
        (2021, 10, 19, 20),
        (2021, 10, 19, 21, 30),
        "Planned as a visit to Fort Worth; held online while travel was restricted.",
        modality="virtual",
        planned="in_person",
        sdg=("4", "17"),
    ),
    Event(
        ("bandung", "fort_worth"),
        "bandung",
        "Fort Worth youth delegation in Bandung",
        "student_exchange",
        "youth_sport",
        (2024, 6, 3, 9),
        (2024, 6, 10, 17),
        "Ten young people from Fort Worth, received at Bandung City Hall; the visit had been delayed by the pandemic.",
        location="Balai Kota Bandung",
        source="fin.co.id, “Pererat Kemitraan, Pemkot Bandung Sambut Delegasi Pemuda Fort Worth Texas”, "
        "9 June 2024 (reception on 7 June; the visit's other days are the demo's)",
        sdg=("4", "17"),
        participants=(15, 10),
    ),
    # --- Daerah Istimewa Yogyakarta – Kyoto Prefecture --------------------------------------------
    Event(
        ("diy", "kyoto_pref"),
        "diy",
        "Kyoto Prefecture youth delegation in Yogyakarta",
        "student_exchange",
        "education",
        (2016, 8, 15, 9),
        (2016, 8, 20, 17),
        "University students from Kyoto at Yogyakarta's universities and palaces.",
        sdg=("4", "17"),
        participants=(20, 15),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "diy",
        "Batik and Kyō-yūzen dyeing workshop",
        "cultural_event",
        "culture",
        (2017, 10, 21, 9),
        (2017, 10, 22, 16),
        "Craftspeople of both regions dye side by side.",
        sdg=("11.4", "17"),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "kyoto_pref",
        "Expert visit: conserving wooden heritage in Kyoto",
        "expert_dispatch",
        "culture",
        (2018, 7, 9, 9),
        (2018, 7, 13, 17),
        "Conservators from Yogyakarta's cultural office with Kyoto's heritage carpenters.",
        sdg=("11.4",),
        participants=(5, 4),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "kyoto_pref",
        "Kyoto Prefecture scholars from Yogyakarta begin their studies",
        "scholarship",
        "education",
        (2019, 4, 8, 10),
        (2019, 4, 8, 12),
        "Three scholarship holders from Yogyakarta start a year at Kyoto's universities.",
        sdg=("4",),
        participants=(3, 2),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "kyoto_pref",
        "Japanese for DIY officials",
        "language_training",
        "education",
        (2020, 6, 1, 10),
        (2020, 7, 31, 12),
        "Planned as a course in Kyoto; taught online.",
        modality="virtual",
        planned="in_person",
        sdg=("4", "17"),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "diy",
        "35 years of the DIY–Kyoto sister provinces",
        "cultural_event",
        "culture",
        (2020, 10, 23, 14),
        (2020, 10, 23, 16),
        "The anniversary ceremony, planned in Yogyakarta, held online.",
        modality="virtual",
        planned="in_person",
        sdg=("17",),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "kyoto_pref",
        "Kyoto Prefecture scholarship: interviews",
        "scholarship",
        "education",
        (2021, 3, 10, 10),
        (2021, 3, 12, 16),
        "Candidates from Yogyakarta interviewed by video.",
        modality="virtual",
        sdg=("4",),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "diy",
        "Jogja-Japan Week online",
        "cultural_event",
        "culture",
        (2021, 11, 13, 10),
        (2021, 11, 13, 21),
        "The postponed festival, as a day of performances and workshops streamed from Yogyakarta.",
        modality="virtual",
        sdg=("11.4", "17"),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "kyoto_pref",
        "Kyoto Prefecture delegation in Yogyakarta",
        "work_visit",
        "tourism",
        (2022, 11, 21, 9),
        (2022, 11, 23, 17),
        "The first visit since the pandemic; sessions streamed for those who could not travel.",
        modality="hybrid",
        sdg=("8", "17"),
    ),
    Event(
        ("diy", "kyoto_pref"),
        "diy",
        "Jogja Japan Week 2023",
        "cultural_event",
        "culture",
        (2023, 9, 1, 10),
        (2023, 9, 3, 21),
        "Performances, workshops and food for 65 years of Indonesia–Japan relations and the "
        "Yogyakarta–Kyoto sister provinces; a festival of a Yogyakarta community, opened by the "
        "Vice-Governor.",
        location="Sleman City Hall",
        source="transindonesia.co, “Jogja Japan Week 2023, Perkuat Hubungan Bilateral Jepang dan DIY”, "
        "2 September 2023",
        sdg=("11.4", "17"),
    ),
    # --- Surabaya and its partners ----------------------------------------------------------------
    Event(
        ("surabaya", "busan"),
        "busan",
        "Surabaya port logistics mission to Busan",
        "trade_mission",
        "trade",
        (2016, 5, 16, 9),
        (2016, 5, 19, 17),
        "Port operators and exporters from Surabaya.",
        sdg=("9", "17"),
    ),
    Event(
        ("surabaya", "kochi"),
        "surabaya",
        "Expert visit from Kochi: waste sorting",
        "expert_dispatch",
        "environment",
        (2018, 10, 8, 9),
        (2018, 10, 12, 16),
        "Kochi's waste engineers in Surabaya's neighbourhood sorting stations.",
        sdg=("11.6", "12"),
    ),
    Event(
        ("surabaya", "seattle"),
        "seattle",
        "Surabaya students in Seattle",
        "student_exchange",
        "education",
        (2019, 4, 8, 9),
        (2019, 4, 19, 16),
        "A two-week school exchange.",
        sdg=("4",),
        participants=(10, 12),
    ),
    Event(
        ("surabaya", "busan"),
        "busan",
        "Busan port experts in Surabaya",
        "expert_dispatch",
        "industry",
        (2020, 4, 20, 9),
        (2020, 4, 24, 16),
        "Planned for April 2020.",
        status="planned",
        postponed="COVID-19 pandemic: travel was suspended.",
        sdg=("9",),
    ),
    Event(
        ("surabaya", "liverpool"),
        "liverpool",
        "Green port webinar: shore power for ships",
        "information_exchange",
        "environment",
        (2020, 11, 17, 9),
        (2020, 11, 17, 11),
        "Liverpool's port and Surabaya's share how ships plug in at berth.",
        modality="virtual",
        sdg=("11.6", "13"),
    ),
    Event(
        ("surabaya", "busan"),
        "surabaya",
        "Online trade fair: Surabaya products for Busan buyers",
        "trade_mission",
        "trade",
        (2021, 5, 25, 13),
        (2021, 5, 27, 17),
        "Planned as a fair in Busan; held online.",
        modality="virtual",
        planned="in_person",
        sdg=("8", "17"),
    ),
    Event(
        ("surabaya", "seattle"),
        "surabaya",
        "Seattle–Surabaya climate resilience exchange",
        "information_exchange",
        "environment",
        (2022, 9, 13, 9),
        (2022, 9, 14, 16),
        "Seattle's delegation in Surabaya, joined online by colleagues at home.",
        modality="hybrid",
        sdg=("11.b", "13"),
    ),
    Event(
        ("surabaya", "busan"),
        "busan",
        "Surabaya delegation at Busan's port festival",
        "work_visit",
        "trade",
        (2024, 5, 24, 10),
        (2024, 5, 26, 17),
        "Thirty years of the sister-city tie.",
        sdg=("9", "17"),
    ),
    Event(
        ("surabaya", "kochi"),
        "kochi",
        "Surabaya environment officers in Kochi",
        "expert_dispatch",
        "environment",
        (2025, 10, 6, 9),
        (2025, 10, 10, 16),
        "Follow-up of the waste-sorting exchange.",
        sdg=("11.6", "12"),
    ),
]


def _pair(governments: dict[str, LocalGovernment], a: str, b: str) -> Partnership | None:
    x, y = sorted([governments[a], governments[b]], key=lambda g: g.pk)
    return Partnership.objects.filter(government_a=x, government_b=y).first()


def _local(government: LocalGovernment, parts: tuple[int, ...]) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=government_zone(government)).astimezone(dt.UTC)


def description(event: Event) -> str:
    return f"{event.about} " + (f"Source: {event.source}." if event.source else DEMO_NOTE)


def load(governments: dict[str, LocalGovernment], admin) -> int:
    """Add the events that are missing; returns how many were created."""
    existing = set(Activity.objects.values_list("partnership_id", "title"))
    created = 0
    for event in EVENTS:
        partnership = _pair(governments, *event.pair)
        if partnership is None or (partnership.pk, event.title) in existing:
            continue
        host = governments[event.host]
        a, b = event.participants or (None, None)
        in_order = partnership.government_a_id == governments[event.pair[0]].pk
        activity = services.create_activity(
            admin,
            partnership,
            check_permission=False,
            title=event.title,
            type=event.type,
            field=event.field,
            host=host,
            start=_local(host, event.start),
            end=_local(host, event.end),
            modality=event.planned or event.modality,
            status=event.status,
            location=event.location,
            public=True,
            sdg_targets=list(event.sdg),
            description=description(event),
            participants_a=a if in_order else b,
            participants_b=b if in_order else a,
        )
        if event.planned and event.planned != event.modality:
            services.convert(admin, activity, modality=event.modality, reason=PANDEMIC_MOVE)
        if event.postponed:
            services.postpone(admin, activity, reason=event.postponed)
        created += 1
    return created
