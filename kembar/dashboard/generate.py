"""Generated volume for benchmarks and load tests (`kembar generate`), never for the demo.

On top of a registry imported with `kembar import-links` it adds activities, agreements and
meetings to the real partnerships, with distributions close to what offices record: more activity
on Indonesian partnerships, a third of the partnerships asleep, years from 2010 to a year ahead,
the pandemic (2020–21 mostly virtual, postponed or moved online, with the postponement and the
change of modality recorded), yearly and two-yearly series, participant counts, a report attached
to some held activities, agreements signed, expired or stuck in their procedure with documents,
and meetings with participants and action items.

Every generated row is marked: its title starts with `GENERATED` ("[generated] …") and its
description, minutes or agenda says where it came from, so a page shows it for what it is and a
query drops it with `.exclude(title__startswith=GENERATED)` (`generated_filter()`).
Existing rows (the demo's, an office's) are never changed.
The same seed on the same registry and day gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.core.database import refresh_statistics

GENERATED = "[generated] "
NOTE = "Generated volume for benchmarks and load tests (kembar generate --seed {seed}); not a real record."
BATCH = 2_000
PANDEMIC = (dt.date(2020, 3, 1), dt.date(2021, 12, 31))
PANDEMIC_PLANS = dt.date(2020, 7, 1)  # from here on, plans were made for the pandemic
REPORT_PATH = "generated/activity-report.pdf"
# A one-page PDF shared by every generated attachment and agreement document.
REPORT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class RegistryMissing(Exception):
    """The database holds no imported registry to put the volume on."""


@dataclass
class Plan:
    activities: int = 100_000
    agreements: int = 10_000
    meetings: int = 20_000
    seed: int = 2026
    today: dt.date = field(default_factory=lambda: timezone.now().date())


@dataclass
class Created:
    activities: int = 0
    series: int = 0
    postponements: int = 0
    modality_changes: int = 0
    attachments: int = 0
    agreements: int = 0
    agreement_stages: int = 0
    agreement_documents: int = 0
    meetings: int = 0
    participants: int = 0
    action_items: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def generated_filter(prefix: str = "") -> Q:
    """Rows made by the generator, for `.exclude(...)` on activities, agreements or meetings."""
    return Q(**{f"{prefix}title__startswith": GENERATED})


def registry_partnerships() -> list[tuple[int, int, int, str, str]]:
    """(id, government_a, government_b, country_a, country_b) of every partnership, by id."""
    from kembar.partnerships.models import Partnership

    if not Partnership.objects.filter(source=Partnership.Source.IMPORT).exists():
        raise RegistryMissing(
            _(
                "No imported registry in this database: run `kembar load-gazetteer` and "
                "`kembar import-links FILE` first; the volume goes on the real partnerships."
            )
        )
    return list(
        Partnership.objects.order_by("id").values_list(
            "id", "government_a_id", "government_b_id", "government_a__country_code", "government_b__country_code"
        )
    )


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    # Office hours in Asia and Europe alike: 01:00–09:00 UTC.
    return dt.datetime(day.year, day.month, day.day, rng.randint(1, 9), rng.choice((0, 0, 30)), tzinfo=dt.UTC)


def _year(rng: random.Random, today: dt.date) -> int:
    """Years weighted the way records grow: few before 2015, a dip in 2020, up to next year."""
    years = list(range(2010, today.year + 2))
    weights = [
        0.5
        if y < 2015
        else 1.0
        if y < 2020
        else 0.7
        if y == 2020
        else 1.0
        if y == 2021
        else 1.5
        if y <= today.year
        else 0.6
        for y in years
    ]
    return rng.choices(years, weights)[0]


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _modality(rng: random.Random, day: dt.date) -> str:
    if day < PANDEMIC[0]:
        weights = (85, 5, 10)
    elif day <= PANDEMIC[1]:
        weights = (15, 65, 20)
    else:
        weights = (60, 15, 25)
    return rng.choices(("in_person", "virtual", "hybrid"), weights)[0]


def plan_summary(plan: Plan, partnerships: int) -> str:
    return _(
        "Would create about %(activities)s activities, %(agreements)s agreements and %(meetings)s "
        "meetings on %(partnerships)s partnerships (seed %(seed)s, today %(today)s), every title "
        "starting with “%(mark)s”."
    ) % {
        "activities": f"{plan.activities:,}",
        "agreements": f"{plan.agreements:,}",
        "meetings": f"{plan.meetings:,}",
        "partnerships": f"{partnerships:,}",
        "seed": plan.seed,
        "today": plan.today.isoformat(),
        "mark": GENERATED.strip(),
    }


def generate(plan: Plan, log: Callable[[str], None] = lambda _: None, rows: list | None = None) -> Created:
    """Create the volume in one transaction; raises RegistryMissing without a registry."""
    rows = registry_partnerships() if rows is None else rows
    rng = random.Random(plan.seed)
    created = Created()
    note = NOTE.format(seed=plan.seed)
    # A partnership's liveliness decides how much it does; Indonesian partnerships do more.
    life = {}
    for pk, _a, _b, ca, cb in rows:
        state = rng.choices(("asleep", "some", "lively"), (33, 50, 17))[0]
        life[pk] = (state, 2.0 if "ID" in (ca, cb) else 1.0)
    weight = {"asleep": 0.3, "some": 4, "lively": 12}
    pids = [pk for pk, *_ in rows]
    weights = [weight[life[pk][0]] * life[pk][1] for pk in pids]
    sides = {pk: (a, b) for pk, a, b, _ca, _cb in rows}
    with transaction.atomic():
        if not default_storage.exists(REPORT_PATH):
            default_storage.save(REPORT_PATH, ContentFile(REPORT))
        _activities(plan, rng, pids, weights, life, sides, note, created, log)
        _agreements(plan, rng, pids, weights, note, created, log)
        _meetings(plan, rng, pids, weights, sides, note, created, log)
    from kembar.activities.models import Activity, ActivityAttachment, ActivityChange
    from kembar.agreements.models import Agreement, AgreementStage, StageDocument
    from kembar.meetings.models import ActionItem, Meeting, Participant

    tables = [Activity, ActivityChange, ActivityAttachment, Agreement, AgreementStage, StageDocument]
    refresh_statistics(*tables, Meeting, Participant, ActionItem)
    return created


def _activities(plan, rng, pids, weights, life, sides, note, created, log) -> None:
    from kembar.activities.models import Activity, ActivityAttachment, ActivityChange
    from kembar.activities.vocab import ActivityType
    from kembar.partnerships.vocab import Field

    types = ActivityType.values
    type_weights = [12 if t in ("cultural_event", "work_visit", "student_exchange") else 4 for t in types]
    fields = Field.values
    sdgs = ["11", "11.3", "11.4", "11.6", "4", "8", "13", "17", "3"]
    today = plan.today
    chosen = rng.choices(pids, weights, k=plan.activities)
    pending: list[tuple[Activity, dict]] = []

    def flush() -> None:
        Activity.objects.bulk_create([a for a, _ in pending], batch_size=BATCH)
        changes, attachments = [], []
        for activity, extra in pending:
            for change in extra.get("changes", ()):
                changes.append(ActivityChange(activity=activity, **change))
            if extra.get("report"):
                attachments.append(
                    ActivityAttachment(
                        activity=activity,
                        name=f"report-{activity.start:%Y%m%d}.pdf",
                        content_type="application/pdf",
                        size=len(REPORT),
                        file=REPORT_PATH,
                    )
                )
        ActivityChange.objects.bulk_create(changes, batch_size=BATCH)
        ActivityAttachment.objects.bulk_create(attachments, batch_size=BATCH)
        created.postponements += sum(1 for c in changes if c.kind == "postponed")
        created.modality_changes += sum(1 for c in changes if c.kind == "converted")
        created.attachments += len(attachments)
        pending.clear()

    for n, pk in enumerate(chosen, 1):
        state = life[pk][0]
        year = _year(rng, today)
        if state == "asleep":
            year = min(year, today.year - 3)
        day = _day(rng, year)
        start = _moment(rng, day)
        length = rng.choices((0, 1, 2, 4, 13), (40, 25, 20, 10, 5))[0]
        end = start + dt.timedelta(days=length, hours=rng.randint(2, 6))
        kind = rng.choices(types, type_weights)[0]
        # Plans made before the pandemic (its first months) were in person; later ones mostly online.
        planned_modality = "in_person" if PANDEMIC[0] <= day < PANDEMIC_PLANS else _modality(rng, day)
        modality = planned_modality
        extra: dict = {"changes": []}
        planned_start, planned_end = start, end
        date_tbd = False
        if day < today:
            status = rng.choices(("held", "cancelled", "postponed"), (86, 9, 5))[0]
        else:
            status = rng.choices(("planned", "confirmed", "postponed", "cancelled"), (60, 30, 6, 4))[0]
        if PANDEMIC[0] <= day <= PANDEMIC[1]:
            # The pandemic: a third postponed (sine die, or held or cancelled at a later date),
            # most of the plans made in person moved online.
            roll = rng.random()
            if roll < 0.33:
                status = "postponed" if rng.random() < 0.4 else rng.choice(("held", "held", "cancelled"))
                change = {"kind": "postponed", "old_start": start, "old_end": end, "reason": note}
                if status == "postponed":
                    date_tbd = True
                else:
                    moved = start + dt.timedelta(days=rng.randint(180, 720))
                    start, end = moved, moved + (end - start)
                    change.update(new_start=start, new_end=end)
                extra["changes"].append(change)
            elif planned_modality == "in_person" and roll < 0.9:
                modality = rng.choice(("virtual", "virtual", "hybrid"))
                extra["changes"].append(
                    {"kind": "converted", "old_modality": planned_modality, "new_modality": modality, "reason": note}
                )
        recurrence = ""
        if status in ("held", "planned", "confirmed") and rng.random() < 0.04:
            recurrence = rng.choice(
                ("FREQ=YEARLY", "FREQ=YEARLY;INTERVAL=2", "FREQ=YEARLY;COUNT=5", "FREQ=MONTHLY;COUNT=6")
            )
            created.series += 1
        extra["report"] = status == "held" and rng.random() < 0.15
        host = rng.choice(sides[pk])
        pending.append(
            (
                Activity(
                    partnership_id=pk,
                    title=f"{GENERATED}{ActivityType(kind).label} {start.year}",
                    type=kind,
                    field=rng.choice(fields),
                    modality=modality,
                    status=status,
                    host_id=host,
                    start=start,
                    end=end,
                    date_tbd=date_tbd,
                    recurrence=recurrence,
                    description=note,
                    participants_a=rng.randint(2, 120) if status == "held" else None,
                    participants_b=rng.randint(2, 120) if status == "held" else None,
                    budget=rng.choice((None, None, 5_000_000, 25_000_000, 150_000_000)),
                    currency="IDR",
                    sdg_targets=rng.sample(sdgs, rng.randint(0, 2)),
                    public=rng.random() < 0.6,
                    planned_start=planned_start,
                    planned_end=planned_end,
                    planned_modality=planned_modality,
                ),
                extra,
            )
        )
        if len(pending) >= BATCH:
            flush()
        if n % 20_000 == 0:
            log(f"activities: {n:,}")
    flush()
    created.activities = plan.activities


def _agreements(plan, rng, pids, weights, note, created, log) -> None:
    from kembar.agreements.models import (
        Agreement,
        AgreementStage,
        ProcedureTemplate,
        StageDocument,
        TemplateStage,
        add_years,
    )
    from kembar.agreements.vocab import AgreementKind

    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    template_stages = list(TemplateStage.objects.filter(template=ksdpl).order_by("position"))
    signing = next((i for i, s in enumerate(template_stages) if s.is_signing), len(template_stages) - 1)
    today = plan.today
    now = dt.datetime(today.year, today.month, today.day, 3, tzinfo=dt.UTC)
    # At most one agreement of each kind per partnership: pick without repeating.
    chosen = _distinct(rng, pids, weights, plan.agreements)
    agreements = []
    for pk in chosen:
        if rng.random() < 0.7:
            signed = _day(rng, rng.randint(2005, today.year - (1 if today.month < 3 else 0)))
            signed = min(signed, today)
            years = rng.choice((2, 3, 5, 5, 5, 10))
            kind = rng.choices(("mou", "loi", "arrangement"), (75, 10, 15))[0]
            ends = add_years(signed, years)
            status = "in_force" if ends >= today else "expired"
            agreements.append(
                Agreement(
                    partnership_id=pk,
                    template=ksdpl,
                    kind=kind,
                    title=f"{GENERATED}{AgreementKind(kind).label} {signed.year}",
                    signed_on=signed,
                    effective_on=signed,
                    validity_years=years,
                    ends_on=ends,
                    status=status,
                )
            )
        else:
            agreements.append(
                Agreement(
                    partnership_id=pk,
                    template=ksdpl,
                    kind="mou",
                    title=f"{GENERATED}Draft Memorandum of Understanding",
                    status="in_procedure",
                )
            )
    Agreement.objects.bulk_create(agreements, batch_size=BATCH)
    stages, documents = [], []
    for agreement in agreements:
        if agreement.status == "in_procedure":
            at = rng.randrange(max(1, signing))
            began = now - dt.timedelta(days=rng.randint(5, 500))
        else:
            at = len(template_stages)  # every stage done
            began = dt.datetime.combine(agreement.signed_on, dt.time(3), tzinfo=dt.UTC)
        for i, ts in enumerate(template_stages):
            status = "done" if i < at else "active" if i == at else "pending"
            stages.append(
                (
                    AgreementStage(
                        agreement=agreement,
                        template_stage=ts,
                        position=ts.position,
                        status=status,
                        started_at=began - dt.timedelta(days=30 * (at - i)) if i <= at else None,
                        completed_at=began - dt.timedelta(days=30 * (at - i - 1)) if i < at else None,
                    ),
                    i < at and rng.random() < 0.3,
                )
            )
    AgreementStage.objects.bulk_create([s for s, _ in stages], batch_size=BATCH)
    digest = hashlib.sha256(REPORT).hexdigest()
    for stage, with_document in stages:
        if with_document:
            documents.append(
                StageDocument(
                    stage=stage,
                    title=f"{GENERATED}Stage document",
                    file=REPORT_PATH,
                    filename="stage-document.pdf",
                    content_type="application/pdf",
                    size=len(REPORT),
                    sha256=digest,
                )
            )
    StageDocument.objects.bulk_create(documents, batch_size=BATCH)
    created.agreements = len(agreements)
    created.agreement_stages = len(stages)
    created.agreement_documents = len(documents)
    log(f"agreements: {len(agreements):,}")


def _distinct(rng: random.Random, pids: list[int], weights: list[float], k: int) -> list[int]:
    """k partnerships drawn by weight, each at most once (all of them when k is larger)."""
    if k >= len(pids):
        return list(pids)
    # Efraimidis–Spirakis: the k largest u^(1/w) keys are a weighted sample without replacement.
    keyed = sorted(((rng.random() ** (1 / w), pk) for pk, w in zip(pids, weights, strict=True)), reverse=True)
    return sorted(pk for _, pk in keyed[:k])


def _meetings(plan, rng, pids, weights, sides, note, created, log) -> None:
    from kembar.meetings.models import ActionItem, Meeting, Participant

    today = plan.today
    chosen = rng.choices(pids, weights, k=plan.meetings)
    meetings = []
    for pk in chosen:
        day = _day(rng, rng.randint(2019, today.year + (1 if today.month > 9 else 0)))
        start = _moment(rng, day)
        virtual = PANDEMIC[0] <= day <= PANDEMIC[1] or rng.random() < 0.5
        status = (
            rng.choices(("held", "cancelled"), (92, 8))[0]
            if day < today
            else rng.choices(("planned", "invited"), (50, 50))[0]
        )
        meetings.append(
            Meeting(
                partnership_id=pk,
                title=f"{GENERATED}Coordination meeting {start:%Y-%m}",
                start=start,
                duration=rng.choice((45, 60, 60, 90, 120)),
                video_link=f"https://meet.example.org/generated-{rng.randrange(10**8)}" if virtual else "",
                agenda=f"{note}\nProgress of the joint activities\nNext steps",
                status=status,
                minutes=note if status == "held" else "",
                decisions="Continue the exchange programme" if status == "held" else "",
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    participants, items = [], []
    for meeting in meetings:
        a, b = sides[meeting.partnership_id]
        for government in (a, b):
            for n in range(rng.randint(1, 4)):
                participants.append(Participant(meeting=meeting, government_id=government, name=f"Participant {n + 1}"))
        if meeting.status == "held":
            for n in range(rng.choices((0, 1, 2, 3, 4), (30, 25, 25, 12, 8))[0]):
                due = meeting.start.date() + dt.timedelta(days=rng.randint(14, 180))
                status = "open" if due >= today or rng.random() < 0.3 else rng.choices(("done", "dropped"), (90, 10))[0]
                items.append(
                    ActionItem(
                        meeting=meeting,
                        text=f"{GENERATED}Follow-up {n + 1}",
                        owner="Bagian Kerja Sama",
                        government_id=rng.choice((a, b)),
                        due=due,
                        status=status,
                    )
                )
    Participant.objects.bulk_create(participants, batch_size=BATCH)
    ActionItem.objects.bulk_create(items, batch_size=BATCH)
    created.meetings = len(meetings)
    created.participants = len(participants)
    created.action_items = len(items)
    log(f"meetings: {len(meetings):,}")
