"""The procedures kembar ships, as data (loaded by migration 0002; administrators add more in /admin/).

KSDPL: cooperation between an Indonesian region and a foreign regional government under
PP 28/2018 and Permendagri 25/2020. Each stage: code, English and Indonesian name, evidence
(English, Indonesian), evidence required, expected days, must precede signing, is signing.
"""

from django.utils.translation import gettext_noop

# The two stages every procedure ends with.
SIGNING = (
    "signing",
    "Signing",
    "Penandatanganan",
    "the signed text",
    "naskah yang ditandatangani",
    True,
    30,
    False,
    True,
)
IMPLEMENTATION = ("implementation", "Implementation", "Pelaksanaan", "", "", False, None, False, False)

KSDPL = {
    "code": "ksdpl",
    "name_en": "Indonesia: cooperation with a foreign regional government (KSDPL)",
    "name_id": "Indonesia: kerja sama daerah dengan pemerintah daerah di luar negeri (KSDPL)",
    "country_code": "ID",
    "description": "PP 28/2018 and Permendagri 25/2020.",
    "stages": [
        (
            "exploration",
            "Exploration",
            "Penjajakan",
            "letter of intent or minutes of the exploration",
            "surat minat atau notula penjajakan",
            True,
            90,
            True,
            False,
        ),
        (
            "cooperation_plan",
            "Cooperation plan",
            "Rencana kerja sama",
            "the cooperation plan",
            "dokumen rencana kerja sama",
            True,
            60,
            True,
            False,
        ),
        (
            "submission",
            "Submission to the Minister of Home Affairs through the governor",
            "Pengajuan kepada Menteri Dalam Negeri melalui gubernur",
            "the submission letter",
            "surat pengajuan",
            True,
            30,
            True,
            False,
        ),
        (
            "assessment",
            "Assessment with the Ministry of Foreign Affairs",
            "Penilaian bersama Kementerian Luar Negeri",
            "the ministries' assessment or recommendation",
            "hasil penilaian atau rekomendasi kementerian",
            True,
            60,
            True,
            False,
        ),
        (
            "dprd_approval",
            "Approval of the regional parliament (DPRD)",
            "Persetujuan DPRD",
            "the DPRD's decision",
            "keputusan DPRD",
            True,
            60,
            True,
            False,
        ),
        (
            "drafting",
            "Drafting of the text",
            "Penyusunan naskah",
            "the agreed draft text",
            "rancangan naskah yang disepakati",
            True,
            45,
            True,
            False,
        ),
        (
            "full_power",
            "Full power from the Foreign Minister",
            "Surat kuasa dari Menteri Luar Negeri",
            "the full power (surat kuasa)",
            "surat kuasa",
            True,
            30,
            True,
            False,
        ),
        SIGNING,
        IMPLEMENTATION,
        (
            "reporting",
            "Reporting",
            "Pelaporan",
            "the implementation report",
            "laporan pelaksanaan",
            True,
            None,
            False,
            False,
        ),
        ("evaluation", "Evaluation", "Evaluasi", "the evaluation report", "laporan evaluasi", True, None, False, False),
        (
            "renewal_or_termination",
            "Renewal or termination",
            "Perpanjangan atau pengakhiran",
            "the decision to renew or end the agreement",
            "keputusan perpanjangan atau pengakhiran",
            True,
            None,
            False,
            False,
        ),
    ],
}

GENERIC = {
    "code": "generic",
    "name_en": "Council approval and signing",
    "name_id": "Persetujuan dewan dan penandatanganan",
    "country_code": "",
    "description": "For partners whose country needs only the council's approval and signing.",
    "stages": [
        (
            "council_approval",
            "Council approval",
            "Persetujuan dewan",
            "the council's decision",
            "keputusan dewan",
            True,
            60,
            True,
            False,
        ),
        SIGNING,
        IMPLEMENTATION,
    ],
}

# The lighter path of a Letter of Intent under KSDPL (see docs/agreements.md#who-acts-on-each-stage):
# an LoI states the will to cooperate and binds no budget, so it needs neither the DPRD's
# approval nor a full power; the governor forwards it and Kemendagri considers it before signing.
KSDPL_LOI = {
    "code": "ksdpl-loi",
    "name_en": "Indonesia: Letter of Intent with a foreign regional government (KSDPL)",
    "name_id": "Indonesia: surat pernyataan kehendak (LoI) dengan pemerintah daerah di luar negeri (KSDPL)",
    "country_code": "ID",
    "description": "PP 28/2018 and Permendagri 25/2020: the Letter of Intent after the exploration.",
    "stages": [
        (
            "exploration",
            "Exploration",
            "Penjajakan",
            "minutes of the exploration and the draft letter of intent",
            "notula penjajakan dan rancangan surat pernyataan kehendak",
            True,
            90,
            True,
            False,
        ),
        (
            "submission",
            "Submission to the Minister of Home Affairs through the governor",
            "Pengajuan kepada Menteri Dalam Negeri melalui gubernur",
            "the governor's covering letter",
            "surat pengantar gubernur",
            True,
            30,
            True,
            False,
        ),
        (
            "consideration",
            "Consideration by the Ministry of Home Affairs",
            "Pertimbangan Kementerian Dalam Negeri",
            "the ministry's consideration",
            "surat pertimbangan kementerian",
            True,
            30,
            True,
            False,
        ),
        SIGNING,
        IMPLEMENTATION,
    ],
}

TEMPLATES = [KSDPL, GENERIC, KSDPL_LOI]

# The party that acts on each stage of the shipped procedures (TemplateStage.owner); a stage not
# named here is the office's. Why each: docs/agreements.md#who-acts-on-each-stage.
OWNERS = {
    "ksdpl": {
        "submission": "province",
        "assessment": "kemendagri",
        "dprd_approval": "dprd",
        "full_power": "kemlu",
    },
    "ksdpl-loi": {"submission": "province", "consideration": "kemendagri"},
}


def install(ProcedureTemplate, TemplateStage) -> None:
    """Create the shipped templates that do not exist yet (an administrator's edits are kept)."""
    for spec in TEMPLATES:
        template, created = ProcedureTemplate.objects.get_or_create(
            code=spec["code"], defaults={k: spec[k] for k in ("name_en", "name_id", "country_code", "description")}
        )
        if not created:
            continue
        for position, (code, name_en, name_id, ev_en, ev_id, required, days, before, signing) in enumerate(
            spec["stages"], 1
        ):
            TemplateStage.objects.create(
                template=template,
                position=position,
                code=code,
                name_en=name_en,
                name_id=name_id,
                evidence_en=ev_en,
                evidence_id=ev_id,
                evidence_required=required,
                expected_days=days,
                before_signing=before,
                is_signing=signing,
            )


def set_owners(TemplateStage) -> None:
    """Name the party of each shipped stage that is still the office's (an administrator's
    choice of another party is kept)."""
    for template, owners in OWNERS.items():
        for code, owner in owners.items():
            TemplateStage.objects.filter(template__code=template, code=code, owner="office").update(owner=owner)


# The shipped names and evidence, in the catalogue: a language with no column of its own (Japanese)
# reads them translated (models._localised); an administrator's own names stay as written.
TRANSLATABLE = [
    gettext_noop("Indonesia: cooperation with a foreign regional government (KSDPL)"),
    gettext_noop("Exploration"),
    gettext_noop("letter of intent or minutes of the exploration"),
    gettext_noop("Cooperation plan"),
    gettext_noop("the cooperation plan"),
    gettext_noop("Submission to the Minister of Home Affairs through the governor"),
    gettext_noop("the submission letter"),
    gettext_noop("Assessment with the Ministry of Foreign Affairs"),
    gettext_noop("the ministries' assessment or recommendation"),
    gettext_noop("Approval of the regional parliament (DPRD)"),
    gettext_noop("the DPRD's decision"),
    gettext_noop("Drafting of the text"),
    gettext_noop("the agreed draft text"),
    gettext_noop("Full power from the Foreign Minister"),
    gettext_noop("the full power (surat kuasa)"),
    gettext_noop("Signing"),
    gettext_noop("the signed text"),
    gettext_noop("Implementation"),
    gettext_noop("Reporting"),
    gettext_noop("the implementation report"),
    gettext_noop("Evaluation"),
    gettext_noop("the evaluation report"),
    gettext_noop("Renewal or termination"),
    gettext_noop("the decision to renew or end the agreement"),
    gettext_noop("Indonesia: Letter of Intent with a foreign regional government (KSDPL)"),
    gettext_noop("minutes of the exploration and the draft letter of intent"),
    gettext_noop("the governor's covering letter"),
    gettext_noop("Consideration by the Ministry of Home Affairs"),
    gettext_noop("the ministry's consideration"),
    gettext_noop("Council approval and signing"),
    gettext_noop("Council approval"),
    gettext_noop("the council's decision"),
]
