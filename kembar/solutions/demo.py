"""Demo data of the solution exchange: what the demo's partner cities offer and what the
Indonesian demo governments need, so matching shows something right after `make run`.

The solutions are modelled on what these cities are known for; the descriptions are demo text,
not the cities' own. Idempotent: a solution or need is keyed by its government and title.
"""

from __future__ import annotations

import datetime as dt

from kembar.partnerships.models import LocalGovernment

from .models import Milestone, Need, Pilot, Solution

SOLUTIONS = [
    (
        "fort_worth",
        dict(
            title="High-water warning network for low-water crossings",
            summary="Rain and river level sensors at flood-prone crossings close barriers and send SMS and app "
            "warnings to residents before roads flood.",
            problem="Flash floods after heavy rain: drivers enter flooded roads and river water rises within minutes.",
            provider_kind="government",
            provider_name="City of Fort Worth, Stormwater Management",
            fields=["disaster", "smart_city"],
            sdg_targets=["11.5", "11.b", "13"],
            maturity="in_use",
            evidence="Demo: about 60 monitored crossings; warnings reach residents 20 minutes before water tops a road.",
            languages=["en"],
            cost_range="100k_1m",
            adoption_needs="River level sensors, a telemetry link, an SMS gateway and a duty officer.",
        ),
    ),
    (
        "braunschweig",
        dict(
            title="Citizen reporting app for street defects",
            summary="Residents report potholes, broken lights and illegal dumping with a photo and a map pin; "
            "the responsible office answers in the app.",
            problem="Complaints arrive by phone and letter, get lost between offices and citizens never hear back.",
            provider_kind="startup",
            provider_name="Demo start-up, Braunschweig",
            provider_website="https://example.org",
            fields=["smart_city", "governance"],
            sdg_targets=["11.3", "16"],
            maturity="scaled",
            evidence="Demo: 9,000 reports a year, median answer time 3 days.",
            languages=["de", "en"],
            cost_range="10k_100k",
            adoption_needs="A back office that answers; open-source code, translation.",
        ),
    ),
    (
        "busan",
        dict(
            title="Smart water network: leak and water-quality monitoring",
            summary="Pressure and quality sensors in the pipe network find leaks and contamination in real time.",
            problem="Clean water is lost through leaks and residents do not trust tap water quality.",
            provider_kind="company",
            provider_name="Demo water utility partner",
            fields=["smart_city", "environment"],
            sdg_targets=["6", "11"],
            maturity="pilot",
            languages=["ko", "en"],
            cost_range="over_1m",
        ),
    ),
    (
        "kyoto_pref",
        dict(
            title="Neighbourhood waste sorting and food-waste composting",
            summary="Households sort waste into fine categories; neighbourhood associations run composting of "
            "food waste and a recycling bank for plastic.",
            problem="Landfills fill up, tourism areas produce large amounts of plastic and food waste.",
            provider_kind="government",
            fields=["environment", "tourism"],
            sdg_targets=["11.6", "12"],
            maturity="scaled",
            evidence="Demo: household waste down by 40% in fifteen years.",
            languages=["ja", "en"],
            cost_range="under_10k",
            adoption_needs="Neighbourhood volunteers, collection schedule, compost sites.",
        ),
    ),
    (
        "berlin",
        dict(
            title="Telemedicine consultations for district health centres",
            summary="Specialists consult patients in district health centres by video, with shared records.",
            problem="Patients travel far to see a specialist; district clinics have no specialist doctors.",
            provider_kind="startup",
            provider_name="Demo health start-up, Berlin",
            fields=["health", "smart_city"],
            sdg_targets=["3"],
            maturity="in_use",
            languages=["de", "en"],
            cost_range="10k_100k",
            adoption_needs="Broadband at the clinics, doctors' time, data protection rules.",
        ),
    ),
    (
        "liverpool",
        dict(
            title="Telecare for older people living alone",
            summary="Remote monitoring sensors and video consultations with doctors let carers check on elderly "
            "residents at home; alarms go to a 24-hour centre.",
            problem="Older people living alone fall or fall ill without anyone noticing; health services are far.",
            provider_kind="university",
            provider_name="Demo university health testbed",
            fields=["health"],
            sdg_targets=["3", "10"],
            maturity="pilot",
            languages=["en"],
            cost_range="100k_1m",
        ),
    ),
    (
        "seattle",
        dict(
            title="Low-cost air quality sensor network",
            summary="Cheap particulate sensors on schools and bus stops publish air quality on an open data map.",
            problem="Air pollution from traffic and smoke is measured at only a few stations.",
            provider_kind="government",
            fields=["environment", "health"],
            sdg_targets=["11.6", "3"],
            maturity="in_use",
            languages=["en"],
            cost_range="10k_100k",
        ),
    ),
    (
        "kochi",
        dict(
            title="Tsunami evacuation signage and drills",
            summary="Evacuation routes, height signs and yearly drills with schools and neighbourhoods.",
            problem="Coastal residents do not know where to go when a tsunami warning comes.",
            provider_kind="government",
            fields=["disaster"],
            sdg_targets=["11.5", "11.b"],
            maturity="scaled",
            languages=["ja"],
            cost_range="under_10k",
        ),
    ),
]

NEEDS = [
    (
        "bandung",
        dict(
            title="Sistem peringatan dini banjir Sungai Cikapundung",
            description="Saat hujan deras, Sungai Cikapundung meluap dan merendam permukiman. Kami butuh sistem "
            "peringatan dini banjir: sensor ketinggian air sungai dan pesan singkat ke warga.",
            fields=["disaster", "smart_city"],
            sdg_targets=["11.5"],
            constraints="Anggaran terbatas; listrik sering padam.",
            budget_range="10k_100k",
            languages=["id", "en"],
        ),
    ),
    (
        "bandung",
        dict(
            title="Aplikasi pengaduan warga yang terhubung antar dinas",
            description="Pengaduan warga tentang jalan rusak, lampu jalan dan sampah liar tersebar di banyak kanal. "
            "Kami ingin satu aplikasi dengan foto dan peta, dan jawaban dinas yang terlacak.",
            fields=["smart_city", "governance"],
            sdg_targets=["11.3", "16"],
            budget_range="10k_100k",
            languages=["id"],
        ),
    ),
    (
        "surabaya",
        dict(
            title="Layanan kesehatan jarak jauh untuk lansia",
            description="Banyak lansia tinggal sendiri. Kami mencari layanan pemantauan dan konsultasi dokter jarak "
            "jauh untuk lansia di rumah.",
            fields=["health"],
            sdg_targets=["3"],
            budget_range="100k_1m",
            languages=["id", "en"],
        ),
    ),
    (
        "surabaya",
        dict(
            title="Mengurangi sampah plastik dengan bank sampah",
            description="Sampah plastik dari rumah tangga dan pasar memenuhi TPA. Kami ingin memperluas bank sampah "
            "dan pemilahan sampah di kampung.",
            fields=["environment"],
            sdg_targets=["11.6", "12"],
            budget_range="under_10k",
            languages=["id"],
        ),
    ),
    (
        "jakarta",
        dict(
            title="Pemantauan kualitas udara real-time",
            description="Polusi udara dari kendaraan tinggi; stasiun pemantauan sedikit. Kami butuh jaringan sensor "
            "kualitas udara dengan data terbuka untuk warga.",
            fields=["environment", "smart_city"],
            sdg_targets=["11.6", "3"],
            budget_range="100k_1m",
            languages=["id", "en"],
        ),
    ),
    (
        "diy",
        dict(
            title="Pengelolaan sampah di kawasan wisata",
            description="Kawasan wisata Malioboro dan sekitarnya menghasilkan banyak sampah plastik dan sisa makanan. "
            "Kami ingin pemilahan sampah, kompos dan bank sampah bersama warga.",
            fields=["environment", "tourism"],
            sdg_targets=["11.6"],
            budget_range="under_10k",
            languages=["id"],
        ),
    ),
]

# (adopting government, offering government, solution title, status, public, milestones)
PILOTS = [
    (
        "surabaya",
        "liverpool",
        "Telecare for older people living alone",
        "planned",
        True,
        [
            ("Study visit to the testbed (virtual)", dt.date(2026, 2, 10), "done"),
            ("Twenty homes in Kecamatan Tegalsari equipped", dt.date(2026, 6, 30), "planned"),
        ],
    ),
]


def load_demo(governments: dict[str, LocalGovernment]) -> dict:
    """Seed the exchange for the demo governments (a dict as built by `kembar.dashboard.demo`)."""
    created = {"solutions": 0, "needs": 0, "pilots": 0}
    for model, rows, key in ((Solution, SOLUTIONS, "solutions"), (Need, NEEDS, "needs")):
        for gov_key, data in rows:
            government = governments.get(gov_key)
            if government is None:
                continue
            data = dict(data)
            fields = data.pop("fields")
            item, made = model.objects.get_or_create(government=government, title=data.pop("title"), defaults=data)
            if made:
                item.fields.set(fields)
                created[key] += 1
    for adopter, offerer, title, status, public, milestones in PILOTS:
        solution = Solution.objects.filter(government=governments[offerer], title=title).first()
        if solution is None:
            continue
        need = Need.objects.filter(government=governments[adopter], fields__code="health").first()
        pilot, made = Pilot.objects.get_or_create(
            solution=solution,
            government=governments[adopter],
            defaults={"status": status, "public": public, "need": need},
        )
        if made:
            created["pilots"] += 1
            for m_title, due, m_status in milestones:
                Milestone.objects.create(pilot=pilot, title=m_title, due=due, status=m_status)
    return created
