"""Demo partner requests on the board (`kembar demo`): real demo governments, plausible calls."""

from __future__ import annotations

from kembar.partnerships.models import LocalGovernment

from .models import PartnerRequest

REQUESTS = [
    # (government key, title, offers, seeks, preferred countries, fields, language codes, contact)
    (
        "surabaya",
        "Port city seeks partner for waste-to-energy and mangrove protection",
        "Community waste banks (Bank Sampah), mangrove restoration along the Wonorejo coast, port logistics know-how",
        "A coastal city with experience in waste-to-energy plants and flood defence; staff exchanges of 2–4 weeks",
        ["JP", "KR", "NL"],
        ["environment", "urban"],
        ["id", "en"],
        "kerjasama@surabaya.go.id",
    ),
    (
        "bandung",
        "Creative city seeks partner in design education",
        "UNESCO City of Design network, craft and fashion incubators, four technical universities",
        "A creative city with design schools for student exchanges and a joint festival",
        [],
        ["culture", "education"],
        ["id", "en"],
        "ks@bandung.go.id",
    ),
    (
        "diy",
        "Heritage region seeks partner for cultural tourism",
        "Kraton and Prambanan heritage management, batik and silver crafts, Gadjah Mada University",
        "A heritage city or region to exchange conservation practice and tourism marketing",
        ["JP", "FR", "IT"],
        ["culture", "tourism"],
        ["id", "en", "ja"],
        "kerjasama@jogjaprov.go.id",
    ),
    (
        "busan",
        "Port metropolis seeks Southeast Asian partner for maritime training",
        "Korea Maritime and Ocean University programmes, port digitalisation",
        "A port city in Southeast Asia for training seafarers and port officials",
        ["ID", "VN", "PH"],
        ["trade", "education"],
        ["ko", "en"],
        "international@busan.go.kr",
    ),
]


def load(governments: dict[str, LocalGovernment]) -> int:
    """Create the requests that are missing; returns how many were created."""
    created = 0
    for key, title, offers, seeks, countries, fields, languages, contact in REQUESTS:
        government = governments.get(key)
        if government is None:
            continue
        request, made = PartnerRequest.objects.get_or_create(
            government=government,
            title=title,
            defaults={
                "offers": offers,
                "seeks": seeks,
                "preferred_countries": countries,
                "languages": languages,
                "contact_email": contact,
            },
        )
        if made:
            request.fields.set(fields)
            created += 1
    return created
