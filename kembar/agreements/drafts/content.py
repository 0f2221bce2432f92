"""What the drafts say: the LoI, the MoU, the terms of reference (KAK) and the stage checklist,
built from an agreement's data in each language of the document.

The texts are gettext entries with the context "agreement draft" (English msgids, Indonesian in
the `id` catalogue), so the legal section reviews them in one place and a language is added by
translating those entries in its catalogue and adding its code to `BODY_LANGUAGES`. Each builder
below runs once per language under `translation.override` and returns the same sequence of
blocks each time; `build` pairs them up into bilingual blocks.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import npgettext, pgettext

from kembar.core import languages
from kembar.gazetteer.countries import country_name
from kembar.partnerships.vocab import Field, Kind, Level

from ..models import Agreement, AgreementStage
from ..vocab import StageStatus

# Every text of a draft has the gettext context "agreement draft" (written out at each call:
# makemessages reads only literal contexts).

# The languages the drafts' texts exist in. A partner's language outside this list gets English
# beside the Indonesian (the document says so).
BODY_LANGUAGES = ("id", "en")
FIRST_LANGUAGE = "id"  # Indonesian: the drafts are those of an Indonesian party
FALLBACK_LANGUAGE = "en"

# Level words an office sometimes writes into the name itself ("Kota Bandung").
LEVEL_PREFIX = re.compile(
    r"^(kota|kabupaten|kab\.|provinsi|daerah istimewa|city of|regency of|province of)\s+", re.IGNORECASE
)

MAX_SIGNATORY_LINES = 10
MAX_LINE = 200


@dataclass
class Block:
    """One piece of the document in every language: `style` says how it is set (title,
    subtitle, note, heading, text, item, signature); `texts` maps a language code to its text."""

    style: str
    texts: dict[str, str]


@dataclass
class Checklist:
    """The stage checklist's table: a header and rows of bilingual cells."""

    header: list[dict[str, str]]
    rows: list[list[dict[str, str]]]


@dataclass
class Draft:
    kind: str
    languages: tuple[str, str]
    title: str  # in the first language, for the file's properties
    blocks: list[Block]
    checklist: Checklist | None = None
    filename_stem: str = ""
    language_names: dict[str, str] = field(default_factory=dict)


@dataclass
class Data:
    """What the drafts read of an agreement, fetched once."""

    agreement: Agreement
    first: object  # the Indonesian party where there is one: LocalGovernment
    second: object
    field_codes: list[str]
    stages: list[AgreementStage]
    text_languages: list[str]  # the languages the agreement's text is recorded in
    zone: str
    now: dt.datetime


def second_language(agreement: Agreement) -> tuple[str, str | None]:
    """The language set beside Indonesian, and the partner's language when it had to give way:
    the first recorded language of the text other than Indonesian when the drafts exist in it,
    else English."""
    wanted = next((code for code in agreement.languages if code != FIRST_LANGUAGE), None)
    if wanted is None or wanted == FALLBACK_LANGUAGE:
        return FALLBACK_LANGUAGE, None
    if wanted in BODY_LANGUAGES:
        return wanted, None
    return FALLBACK_LANGUAGE, wanted


def gather(agreement: Agreement, stages: list[AgreementStage], zone: str) -> Data:
    p = agreement.partnership
    a, b = p.government_a, p.government_b
    if b.country_code == "ID" and a.country_code != "ID":
        a, b = b, a
    codes = [f.code for f in agreement.fields.all()] or sorted(p.fields.values_list("code", flat=True))
    return Data(
        agreement=agreement,
        first=a,
        second=b,
        field_codes=codes,
        stages=stages,
        text_languages=list(agreement.languages),
        zone=zone,
        now=timezone.now(),
    )


# --- words shared by the drafts --------------------------------------------------------------------


def _level_patterns() -> dict[str, str]:
    return {
        Level.CITY: pgettext("agreement draft", "the Government of the City of %(name)s"),
        Level.REGENCY: pgettext("agreement draft", "the Government of the Regency of %(name)s"),
        Level.MUNICIPALITY: pgettext("agreement draft", "the Government of the Municipality of %(name)s"),
        Level.DISTRICT: pgettext("agreement draft", "the Government of the District of %(name)s"),
        Level.COUNTY: pgettext("agreement draft", "the Government of the County of %(name)s"),
        Level.PROVINCE: pgettext("agreement draft", "the Government of the Province of %(name)s"),
        Level.SPECIAL_REGION: pgettext("agreement draft", "the Government of the Special Region of %(name)s"),
        Level.PREFECTURE: pgettext("agreement draft", "the Government of the Prefecture of %(name)s"),
        Level.STATE: pgettext("agreement draft", "the Government of the State of %(name)s"),
        Level.REGION: pgettext("agreement draft", "the Government of the Region of %(name)s"),
    }


def official_name(government) -> str:
    """ "the Government of the City of Bandung" / "Pemerintah Kota Bandung": the level's words
    around the place's name; a foreign government's own recorded name follows in brackets when
    it says more ("… of the City of Braunschweig (Stadt Braunschweig)")."""
    recorded = government.name.strip()
    bare = LEVEL_PREFIX.sub("", recorded) or recorded
    place = (government.place.name or "").strip() or bare
    pattern = _level_patterns().get(government.level) or pgettext("agreement draft", "the Government of %(name)s")
    text = pattern % {"name": place if government.country_code != "ID" else bare}
    if government.country_code != "ID" and bare.casefold() != place.casefold():
        text += f" ({recorded})"
    return text


def country(code: str) -> str:
    if code == "ID":
        return pgettext("agreement draft", "the Republic of Indonesia")
    return country_name(code)


def party(government) -> str:
    """The party with its level and country: "Pemerintah Kota Bandung, Republik Indonesia"."""
    return pgettext("agreement draft", "%(government)s, %(country)s") % {
        "government": official_name(government),
        "country": country(government.country_code),
    }


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def joined(items: list[str]) -> str:
    """ "A, B and C" in the active language."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return pgettext("agreement draft", "%(list)s and %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def fields_text(d: Data) -> str:
    labels = [str(Field(code).label).lower() for code in d.field_codes if code in Field.values]
    return joined(labels) or pgettext("agreement draft", "[fields of cooperation to be agreed]")


def subject(d: Data) -> str:
    kind = d.agreement.partnership.kind
    return {
        Kind.SISTER_CITY: pgettext("agreement draft", "sister city cooperation"),
        Kind.SISTER_PROVINCE: pgettext("agreement draft", "sister province cooperation"),
        Kind.FRIENDSHIP: pgettext("agreement draft", "friendship cooperation"),
    }.get(kind) or pgettext("agreement draft", "cooperation")


def long_date(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def blank() -> str:
    return pgettext("agreement draft", "[to be completed]")


def has_indonesian_party(d: Data) -> bool:
    return d.first.country_code == "ID"


def legal_basis() -> list[str]:
    return [
        pgettext("agreement draft", "Law No. 37 of 1999 on Foreign Relations"),
        pgettext("agreement draft", "Law No. 24 of 2000 on International Agreements"),
        pgettext("agreement draft", "Law No. 23 of 2014 on Regional Government, as amended"),
        pgettext("agreement draft", "Government Regulation No. 28 of 2018 on Regional Cooperation"),
        pgettext(
            "agreement draft",
            "Regulation of the Minister of Home Affairs No. 25 of 2020 on the Procedure for Regional "
            "Cooperation with Foreign Regional Governments and with Foreign Institutions",
        ),
    ]


def procedure_text(d: Data) -> str:
    return pgettext(
        "agreement draft", "For the Indonesian Party this instrument follows the procedure “%(procedure)s”."
    ) % {"procedure": d.agreement.template.name}


def years(n: int) -> str:
    return npgettext("agreement draft", "%(n)s year", "%(n)s years", n) % {"n": n}


def start_text(d: Data) -> str:
    a = d.agreement
    return long_date(a.effective_on) if a.effective_on else pgettext("agreement draft", "the date of its signing")


def duration_phrase(d: Data) -> str:
    a = d.agreement
    length = years(a.validity_years) if a.validity_years else pgettext("agreement draft", "[a period of … years]")
    if a.ends_on:
        return pgettext("agreement draft", "%(length)s, until %(end)s") % {
            "length": length,
            "end": long_date(a.ends_on),
        }
    return length


def language_clause(d: Data, instrument: str) -> str:
    codes = [FIRST_LANGUAGE] + [c for c in d.text_languages if c != FIRST_LANGUAGE]
    if len(codes) == 1:
        codes.append(FALLBACK_LANGUAGE)
    text = pgettext(
        "agreement draft",
        "%(instrument)s is done in two originals in %(languages)s, all texts being equally authentic.",
    ) % {"instrument": instrument, "languages": joined([languages.name(c) for c in codes])}
    if len(codes) > 2 and FALLBACK_LANGUAGE in codes:
        text += " " + pgettext(
            "agreement draft", "In case of any divergence of interpretation, the English text shall prevail."
        )
    return text


def signatory_lines(d: Data) -> list[str]:
    lines = [line.strip()[:MAX_LINE] for line in d.agreement.signatories.splitlines() if line.strip()]
    return lines[:MAX_SIGNATORY_LINES]


def draft_note() -> str:
    return pgettext(
        "agreement draft",
        "DRAFT generated by kembar from the agreement on file, to be reviewed by the legal section "
        "before use. Text in square brackets is to be completed.",
    )


def signatures(d: Data, instrument: str) -> list[tuple[str, str]]:
    out = [
        (
            "text",
            pgettext(
                "agreement draft",
                "In witness whereof, the undersigned, duly authorised by their respective governments, "
                "have signed %(instrument)s.",
            )
            % {"instrument": instrument},
        ),
        ("text", pgettext("agreement draft", "Done at %(place)s on %(date)s.") % {"place": blank(), "date": blank()}),
    ]
    for government in (d.first, d.second):
        out.append(
            (
                "signature",
                pgettext("agreement draft", "For %(party)s") % {"party": official_name(government)}
                + "\n\n\n"
                + pgettext("agreement draft", "[name and title]"),
            )
        )
    lines = signatory_lines(d)
    if lines:
        out.append(
            (
                "note",
                pgettext("agreement draft", "Signatories recorded on the agreement: %(names)s")
                % {"names": "; ".join(lines)},
            )
        )
    return out


def preamble(d: Data, instrument: str) -> list[tuple[str, str]]:
    out = [
        (
            "text",
            pgettext(
                "agreement draft",
                "%(first)s and %(second)s, hereinafter referred to individually as a “Party” and together as "
                "“the Parties”;",
            )
            % {"first": upper_first(party(d.first)), "second": party(d.second)},
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "Desiring to strengthen the friendship between their peoples and to develop cooperation on the "
                "basis of equality and mutual benefit;",
            ),
        ),
    ]
    if has_indonesian_party(d):
        out.append(
            (
                "text",
                pgettext(
                    "agreement draft",
                    "Pursuant to the laws and regulations in force in their respective countries, for the "
                    "Indonesian Party in particular %(basis)s;",
                )
                % {"basis": joined(legal_basis())},
            )
        )
    else:
        out.append(
            (
                "text",
                pgettext(
                    "agreement draft", "Pursuant to the laws and regulations in force in their respective countries;"
                ),
            )
        )
    out.append(("text", pgettext("agreement draft", "Have reached the following understanding:")))
    return out


def article(number: int, title: str) -> tuple[str, str]:
    return (
        "heading",
        pgettext("agreement draft", "Article %(number)s: %(title)s") % {"number": number, "title": title},
    )


# --- the documents ----------------------------------------------------------------------------------


def title_block(d: Data, title: str) -> list[tuple[str, str]]:
    return [
        ("note", draft_note()),
        ("title", title),
        (
            "subtitle",
            pgettext("agreement draft", "between %(first)s and %(second)s on %(subject)s")
            % {"first": party(d.first), "second": party(d.second), "subject": subject(d)},
        ),
    ]


def mou(d: Data) -> list[tuple[str, str]]:
    this = pgettext("agreement draft", "this Memorandum of Understanding")
    out = title_block(d, pgettext("agreement draft", "MEMORANDUM OF UNDERSTANDING")) + preamble(d, this)
    out += [
        article(1, pgettext("agreement draft", "Purpose")),
        (
            "text",
            pgettext(
                "agreement draft",
                "The purpose of %(instrument)s is to establish and develop %(subject)s between the Parties, "
                "in accordance with the laws and regulations in force in their respective countries.",
            )
            % {"instrument": this, "subject": subject(d)},
        ),
        article(2, pgettext("agreement draft", "Fields of cooperation")),
        (
            "text",
            pgettext("agreement draft", "The Parties shall cooperate in the following fields: %(fields)s.")
            % {"fields": fields_text(d)},
        ),
        (
            "text",
            pgettext("agreement draft", "The Parties may agree in writing on further fields of cooperation."),
        ),
        article(3, pgettext("agreement draft", "Implementation")),
        (
            "text",
            pgettext(
                "agreement draft",
                "Each Party shall designate a unit to coordinate the implementation of %(instrument)s. The "
                "activities shall be set out in implementing arrangements or work plans agreed by the Parties.",
            )
            % {"instrument": this},
        ),
    ]
    if has_indonesian_party(d):
        out.append(("text", procedure_text(d)))
    out += [
        article(4, pgettext("agreement draft", "Financing")),
        (
            "text",
            pgettext(
                "agreement draft",
                "Each Party shall bear its own costs of the activities under %(instrument)s, subject to the "
                "availability of funds and to the laws and regulations in force in its country, unless the "
                "Parties agree otherwise in writing.",
            )
            % {"instrument": this},
        ),
        article(5, pgettext("agreement draft", "Settlement of differences")),
        (
            "text",
            pgettext(
                "agreement draft",
                "Any difference arising from the interpretation or implementation of %(instrument)s shall be "
                "settled amicably through consultation and negotiation between the Parties.",
            )
            % {"instrument": this},
        ),
        article(6, pgettext("agreement draft", "Amendment")),
        (
            "text",
            pgettext("agreement draft", "%(instrument)s may be amended by mutual written consent of the Parties.")
            % {"instrument": upper_first(this)},
        ),
        article(7, pgettext("agreement draft", "Entry into force, duration and termination")),
        (
            "text",
            pgettext(
                "agreement draft",
                "%(instrument)s shall enter into force on %(start)s and remain in force for %(duration)s. It "
                "may be extended by written agreement of the Parties.",
            )
            % {"instrument": upper_first(this), "start": start_text(d), "duration": duration_phrase(d)},
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "Either Party may terminate %(instrument)s by written notice to the other Party at least six (6) "
                "months in advance. Termination shall not affect activities already under way, which shall "
                "continue until their completion unless the Parties decide otherwise.",
            )
            % {"instrument": this},
        ),
        article(8, pgettext("agreement draft", "Language versions")),
        ("text", language_clause(d, upper_first(this))),
    ]
    return out + signatures(d, this)


def loi(d: Data) -> list[tuple[str, str]]:
    this = pgettext("agreement draft", "this Letter of Intent")
    out = title_block(d, pgettext("agreement draft", "LETTER OF INTENT"))
    out += [
        (
            "text",
            pgettext(
                "agreement draft",
                "%(first)s and %(second)s (“the Parties”), wishing to build on the friendly relations between "
                "them, state their intention to explore %(subject)s in the following fields: %(fields)s.",
            )
            % {
                "first": upper_first(party(d.first)),
                "second": party(d.second),
                "subject": subject(d),
                "fields": fields_text(d),
            },
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "The Parties intend to exchange information, hold consultations and identify joint activities, "
                "with a view to concluding a Memorandum of Understanding in accordance with the laws and "
                "regulations in force in their respective countries.",
            ),
        ),
    ]
    if has_indonesian_party(d):
        out += [
            (
                "text",
                pgettext(
                    "agreement draft",
                    "For the Indonesian Party, %(instrument)s is a first step of the cooperation with a foreign "
                    "regional government under %(basis)s.",
                )
                % {"instrument": this, "basis": joined(legal_basis()[3:])},
            ),
            ("text", procedure_text(d)),
        ]
    out += [
        (
            "text",
            pgettext(
                "agreement draft",
                "%(instrument)s expresses the intention of the Parties and creates no rights or obligations "
                "under international or national law.",
            )
            % {"instrument": upper_first(this)},
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "Each Party shall bear its own costs of the activities under %(instrument)s, subject to the "
                "availability of funds.",
            )
            % {"instrument": this},
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "Any difference arising from %(instrument)s shall be settled amicably through consultation.",
            )
            % {"instrument": this},
        ),
        (
            "text",
            pgettext(
                "agreement draft",
                "%(instrument)s takes effect on %(start)s and remains valid for %(duration)s, or until the "
                "Parties sign a Memorandum of Understanding, whichever is earlier. Either Party may end it by "
                "written notice to the other.",
            )
            % {"instrument": upper_first(this), "start": start_text(d), "duration": duration_phrase(d)},
        ),
        ("text", language_clause(d, upper_first(this))),
    ]
    return out + signatures(d, this)


def tor(d: Data) -> list[tuple[str, str]]:
    a = d.agreement
    partnership = a.partnership
    out = [
        ("note", draft_note()),
        ("title", pgettext("agreement draft", "TERMS OF REFERENCE")),
        (
            "subtitle",
            pgettext("agreement draft", "%(subject)s between %(first)s and %(second)s: “%(title)s”")
            % {
                "subject": upper_first(subject(d)),
                "first": official_name(d.first),
                "second": official_name(d.second),
                "title": a.title,
            },
        ),
        ("heading", pgettext("agreement draft", "1. Background")),
    ]
    if partnership.since:
        out.append(
            (
                "text",
                pgettext("agreement draft", "%(first)s and %(second)s have been partners since %(since)s.")
                % {
                    "first": upper_first(official_name(d.first)),
                    "second": official_name(d.second),
                    "since": long_date(partnership.since),
                },
            )
        )
    out += [
        (
            "text",
            pgettext(
                "agreement draft",
                "[Describe what the two share, the contacts so far and why the cooperation is needed.]",
            ),
        ),
        ("heading", pgettext("agreement draft", "2. Legal basis")),
    ]
    if has_indonesian_party(d):
        out += [("item", law) for law in legal_basis()]
        out.append(("text", procedure_text(d)))
    else:
        out.append(("text", pgettext("agreement draft", "[The laws and regulations of each Party that apply.]")))
    out += [
        ("heading", pgettext("agreement draft", "3. Purpose and objectives")),
        (
            "text",
            pgettext(
                "agreement draft", "[State what the cooperation is meant to achieve, with measurable objectives.]"
            ),
        ),
        ("heading", pgettext("agreement draft", "4. Scope")),
        ("text", pgettext("agreement draft", "Fields of cooperation: %(fields)s.") % {"fields": fields_text(d)}),
        ("heading", pgettext("agreement draft", "5. The parties")),
    ]
    for government in (d.first, d.second):
        contact = " · ".join(x for x in (government.contact_email, government.contact_phone) if x)
        text = upper_first(party(government))
        if contact:
            text += " (" + contact + ")"
        out.append(("item", text))
    out += [
        ("heading", pgettext("agreement draft", "6. Implementation and schedule")),
        (
            "text",
            pgettext("agreement draft", "The agreement goes through the stages of the procedure “%(procedure)s”:")
            % {"procedure": a.template.name},
        ),
    ]
    for stage in d.stages:
        ts = stage.template_stage
        text = f"{stage.position}. {ts.name}"
        if ts.expected_days:
            text += " " + npgettext("agreement draft", "(about %(n)s day)", "(about %(n)s days)", ts.expected_days) % {
                "n": ts.expected_days
            }
        out.append(("item", text))
    out += [
        ("heading", pgettext("agreement draft", "7. Expected outputs")),
        (
            "text",
            pgettext(
                "agreement draft", "[The agreement signed, a work plan, and the activities and results expected.]"
            ),
        ),
        ("heading", pgettext("agreement draft", "8. Financing")),
        (
            "text",
            pgettext(
                "agreement draft",
                "Each party finances its own activities from its budget (for the Indonesian party the regional "
                "budget, APBD). [Estimate the costs.]",
            ),
        ),
        ("heading", pgettext("agreement draft", "9. Person in charge")),
        ("text", pgettext("agreement draft", "[The unit and the officer in charge, with their contact details.]")),
    ]
    return out


def _checklist_info(d: Data) -> list[tuple[str, str]]:
    a = d.agreement
    local = timezone.localtime(d.now, zoneinfo.ZoneInfo(d.zone))
    return [
        ("title", pgettext("agreement draft", "STAGE CHECKLIST OF THE PROCEDURE")),
        ("subtitle", a.title),
        (
            "text",
            pgettext("agreement draft", "Parties: %(first)s and %(second)s")
            % {"first": party(d.first), "second": party(d.second)},
        ),
        ("text", pgettext("agreement draft", "Procedure: %(procedure)s") % {"procedure": a.template.name}),
        ("text", pgettext("agreement draft", "Status: %(status)s") % {"status": a.get_current_status_display()}),
        (
            "note",
            pgettext("agreement draft", "State on %(date)s (time zone %(zone)s), as recorded in kembar.")
            % {"date": date_format(local, "j F Y H:i"), "zone": d.zone},
        ),
    ]


def _checklist_table(d: Data, local: Callable[[dt.datetime | None], str]) -> tuple[list[str], list[list[str]]]:
    header = [
        pgettext("agreement draft", "No."),
        pgettext("agreement draft", "Stage"),
        pgettext("agreement draft", "Evidence"),
        pgettext("agreement draft", "Evidence required"),
        pgettext("agreement draft", "State"),
        pgettext("agreement draft", "Started"),
        pgettext("agreement draft", "Completed"),
        pgettext("agreement draft", "Documents"),
    ]
    rows = []
    for stage in d.stages:
        ts = stage.template_stage
        mark = {StageStatus.DONE: "[x]", StageStatus.ACTIVE: "[…]"}.get(stage.status, "[ ]")
        rows.append(
            [
                str(stage.position),
                ts.name,
                ts.evidence or "–",
                pgettext("agreement draft", "yes") if ts.evidence_required else pgettext("agreement draft", "no"),
                f"{mark} {StageStatus(stage.status).label}",
                local(stage.started_at),
                local(stage.completed_at),
                str(len(stage.documents.all())),
            ]
        )
    return header, rows


BUILDERS: dict[str, Callable[[Data], list[tuple[str, str]]]] = {
    "loi": loi,
    "mou": mou,
    "tor": tor,
    "checklist": _checklist_info,
}


def build(kind: str, d: Data) -> Draft:
    """The bilingual draft of `kind` ("loi", "mou", "tor", "checklist")."""
    second, missing = second_language(d.agreement)
    pair = (FIRST_LANGUAGE, second)
    per_language: dict[str, list[tuple[str, str]]] = {}
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    names: dict[str, str] = {}
    zone = zoneinfo.ZoneInfo(d.zone)

    def local(moment: dt.datetime | None) -> str:
        return date_format(timezone.localtime(moment, zone), "j M Y") if moment else "–"

    for code in pair:
        with translation.override(code):
            names[code] = upper_first(languages.name(code))
            blocks = list(BUILDERS[kind](d))
            if missing and kind != "checklist":
                blocks.insert(
                    1,
                    (
                        "note",
                        pgettext(
                            "agreement draft",
                            "The %(language)s text is to be prepared: kembar holds the text of its drafts in "
                            "Indonesian and English only, so this draft gives English beside Indonesian.",
                        )
                        % {"language": languages.name(missing)},
                    ),
                )
            per_language[code] = blocks
            if kind == "checklist":
                tables[code] = _checklist_table(d, local)
    first, other = per_language[pair[0]], per_language[pair[1]]
    assert [s for s, _ in first] == [s for s, _ in other], "a builder gave different blocks per language"
    blocks = [Block(style, {pair[0]: t0, pair[1]: t1}) for (style, t0), (_, t1) in zip(first, other, strict=True)]
    checklist = None
    if kind == "checklist":
        (h0, r0), (h1, r1) = tables[pair[0]], tables[pair[1]]
        checklist = Checklist(
            header=[{pair[0]: a, pair[1]: b} for a, b in zip(h0, h1, strict=True)],
            rows=[[{pair[0]: a, pair[1]: b} for a, b in zip(x, y, strict=True)] for x, y in zip(r0, r1, strict=True)],
        )
    stem = slugify(f"{kind}-{d.agreement.pk}-{d.first.name}-{d.second.name}")[:80] or f"{kind}-{d.agreement.pk}"
    return Draft(
        kind=kind,
        languages=pair,
        title=next(t for s, t in first if s == "title"),
        blocks=blocks,
        checklist=checklist,
        filename_stem=stem,
        language_names=names,
    )
