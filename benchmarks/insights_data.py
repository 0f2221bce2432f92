"""The insights benchmark's dataset (issue 7): 25,000 partnerships and 100,000 activities.

Real places from the gazetteer (loaded here with `--min-population 15000` when the database
has too few cities), spread the way the registry really looks: about 40 % of the partnerships
involve an Indonesian government, a third of them are sleeping (only old activities, or none),
activities follow the pandemic (2020–2022 mostly virtual), about half hold a signed MoU (some
ending soon, some expired), some an agreement stuck in its procedure, and meetings with open,
overdue and closed action items. Deterministic for a seed.

    generate(seed=2026)                # in the configured database; returns what it made
    python -m benchmarks.insights_data  # the same, on DATABASE_URL (prints the counts)

It also creates two logins for measuring pages: `bench-oversight` (an oversight body, reads
everything) and `bench-office` (editor of the Indonesian government with the most partnerships).
The pivot and health benchmarks both call `generate()`; it does nothing when the data is there.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from dataclasses import dataclass

PARTNERSHIPS = 25_000
ACTIVITIES = 100_000
GOVERNMENTS = 6_000
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # the data's "today"; pages use the real clock
PANDEMIC = (dt.date(2020, 3, 1), dt.date(2022, 6, 30))
BATCH = 2_000


@dataclass
class Generated:
    partnerships: int
    activities: int
    agreements: int
    action_items: int
    oversight_user: str = "bench-oversight"
    office_user: str = "bench-office"
    office_government_id: int | None = None


def _ensure_places(log) -> None:
    from django.core.management import call_command

    from kembar.gazetteer.models import Place

    if Place.objects.filter(kind="city", latitude__isnull=False).count() < GOVERNMENTS:
        log("loading the gazetteer (cities of 15,000 inhabitants or more)…")
        call_command("load_gazetteer", min_population=15000, no_progress=True)


def _governments(rng: random.Random) -> list[tuple[int, str]]:
    """(id, country) of GOVERNMENTS city governments: every Indonesian city of the gazetteer
    with 100,000 people or more, then the world's largest cities."""
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment

    cities = Place.objects.filter(kind="city", latitude__isnull=False)
    indonesian = list(cities.filter(country_code="ID", population__gte=100_000).values_list("id", flat=True))
    world = list(
        cities.exclude(country_code="ID")
        .order_by("-population")
        .values_list("id", flat=True)[: GOVERNMENTS - len(indonesian)]
    )
    wanted = set(indonesian + world)
    have = set(LocalGovernment.objects.filter(place_id__in=wanted, level="city").values_list("place_id", flat=True))
    LocalGovernment.objects.bulk_create(
        [
            LocalGovernment(place_id=pk, name=name, country_code=cc, level="city")
            for pk, name, cc in Place.objects.filter(pk__in=wanted - have).values_list("id", "name", "country_code")
        ],
        batch_size=BATCH,
    )
    return list(
        LocalGovernment.objects.filter(place_id__in=wanted)
        .order_by("-place__population", "id")
        .values_list("id", "country_code")
    )


def _moment(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    days = max(1, (end - start).days)
    day = start + dt.timedelta(days=rng.randrange(days))
    return dt.datetime(day.year, day.month, day.day, rng.choice([1, 2, 3, 6, 8, 13]), 0, tzinfo=dt.UTC)


def _modality(rng: random.Random, day: dt.date) -> str:
    if day < PANDEMIC[0]:
        weights = (85, 5, 10)
    elif day <= PANDEMIC[1]:
        weights = (10, 70, 20)
    else:
        weights = (55, 20, 25)
    return rng.choices(["in_person", "virtual", "hybrid"], weights)[0]


def generate(seed: int = 2026, partnerships: int = PARTNERSHIPS, activities: int = ACTIVITIES, log=print) -> Generated:
    from django.db import transaction

    from kembar.activities.models import Activity
    from kembar.activities.vocab import ActivityType
    from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate, TemplateStage, add_years
    from kembar.meetings.models import ActionItem, Meeting
    from kembar.partnerships.models import Partnership
    from kembar.partnerships.vocab import Field

    if Partnership.objects.count() >= partnerships and Activity.objects.count() >= activities:
        return _result(partnerships, activities)
    _ensure_places(log)
    rng = random.Random(seed)
    today = NOW.date()
    with transaction.atomic():
        governments = _governments(rng)
        indonesian = [g for g, cc in governments if cc == "ID"]
        everyone = [g for g, _ in governments]
        office = indonesian[0]  # the most populous Indonesian city's government
        pairs = set(Partnership.objects.values_list("government_a_id", "government_b_id"))
        new = []
        while len(pairs) < partnerships:
            roll = rng.random()
            if roll < 0.02:
                a, b = office, rng.choice(everyone)  # the measured office has a few hundred partners
            elif roll < 0.40:
                a, b = rng.choice(indonesian), rng.choice(everyone)
            else:
                a, b = rng.sample(everyone, 2)
            if a == b:
                continue
            a, b = min(a, b), max(a, b)
            if (a, b) in pairs:
                continue
            pairs.add((a, b))
            new.append(
                Partnership(
                    government_a_id=a,
                    government_b_id=b,
                    public=rng.random() < 0.9,
                    status=rng.choices(["active", "dormant", "proposed", "suspended", "ended"], (70, 10, 10, 5, 5))[0],
                    kind=rng.choices(["sister_city", "friendship", "cooperation"], (60, 25, 15))[0],
                    since=_moment(rng, dt.date(1960, 1, 1), dt.date(2025, 12, 31)).date(),
                    source="import",
                )
            )
        Partnership.objects.bulk_create(new, batch_size=BATCH)
        log(f"partnerships: {len(new):,} created")
        rows = list(Partnership.objects.values_list("id", "government_a_id", "government_b_id"))
        fields = Field.values
        through = Partnership.fields.through
        through.objects.bulk_create(
            [
                through(partnership_id=pk, cooperationfield_id=f)
                for pk, _, _ in rows[-len(new) :]
                for f in rng.sample(fields, rng.randint(1, 3))
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )

        # Liveliness: a third sleep (activities only before the last 30 months, or none at all).
        life = {pk: rng.choices(["asleep", "some", "lively"], (33, 50, 17))[0] for pk, _, _ in rows}
        weight = {"asleep": 1, "some": 4, "lively": 12}
        sides = {pk: (a, b) for pk, a, b in rows}
        pids = [pk for pk, _, _ in rows]
        missing = activities - Activity.objects.count()
        chosen = rng.choices(pids, [weight[life[pk]] for pk in pids], k=max(0, missing))
        types = ActivityType.values
        sdgs = ["11", "11.3", "11.4", "11.5", "11.6", "4", "8", "13", "17", "3"]
        batch = []
        for pk in chosen:
            latest = today - dt.timedelta(days=900) if life[pk] == "asleep" else today + dt.timedelta(days=300)
            start = _moment(rng, dt.date(2012, 1, 1), latest)
            day = start.date()
            if start < NOW:
                status = rng.choices(["held", "cancelled", "postponed", "planned"], (80, 8, 7, 5))[0]
            else:
                status = rng.choices(["planned", "confirmed", "postponed", "cancelled"], (60, 30, 5, 5))[0]
            modality = _modality(rng, day)
            recurring = status == "held" and rng.random() < 0.01
            batch.append(
                Activity(
                    partnership_id=pk,
                    title=f"{rng.choice(types).replace('_', ' ').capitalize()} {day.year}",
                    type=rng.choice(types),
                    field=rng.choice(fields),
                    modality=modality,
                    status=status,
                    host_id=rng.choice(sides[pk]),
                    start=start,
                    end=start + dt.timedelta(days=rng.randint(0, 4)),
                    recurrence="FREQ=YEARLY;INTERVAL=2;COUNT=6" if recurring else "",
                    participants_a=rng.randint(2, 200),
                    participants_b=rng.randint(2, 200),
                    budget=rng.choice([None, 5_000_000, 25_000_000, 150_000_000]),
                    currency="IDR",
                    sdg_targets=rng.sample(sdgs, rng.randint(0, 2)),
                    public=rng.random() < 0.9,
                    planned_start=start,
                    planned_end=start + dt.timedelta(days=1),
                    planned_modality="in_person"
                    if PANDEMIC[0] <= day <= PANDEMIC[1] and rng.random() < 0.4
                    else modality,
                )
            )
            if len(batch) == BATCH:
                Activity.objects.bulk_create(batch)
                batch = []
        Activity.objects.bulk_create(batch)
        log(f"activities: {len(chosen):,} created")

        ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
        template_stages = list(TemplateStage.objects.filter(template=ksdpl).order_by("position"))
        signing = next(i for i, s in enumerate(template_stages) if s.is_signing)
        agreements, procedures = [], []
        for pk, _, _ in rows:
            roll = rng.random()
            if roll < 0.55:
                signed = _moment(rng, dt.date(2008, 1, 1), today).date()
                years = rng.choice([3, 5, 5, 10])
                agreements.append(
                    Agreement(
                        partnership_id=pk,
                        template=ksdpl,
                        kind="mou",
                        title="Memorandum of Understanding",
                        signed_on=signed,
                        effective_on=signed,
                        validity_years=years,
                        ends_on=add_years(signed, years),
                        status="signed",
                    )
                )
            elif roll < 0.63:
                procedures.append(
                    Agreement(partnership_id=pk, template=ksdpl, kind="mou", title="Draft MoU", status="in_procedure")
                )
        Agreement.objects.bulk_create(agreements + procedures, batch_size=BATCH)
        stages = []
        for agreement in procedures:
            at = rng.randrange(signing)  # the stage in progress, before signing
            began = NOW - dt.timedelta(days=rng.randint(5, 400))
            for i, ts in enumerate(template_stages):
                status = "done" if i < at else "active" if i == at else "pending"
                stages.append(
                    AgreementStage(
                        agreement=agreement,
                        template_stage=ts,
                        position=ts.position,
                        status=status,
                        started_at=began - dt.timedelta(days=30 * (at - i)) if i <= at else None,
                        completed_at=began - dt.timedelta(days=30 * (at - i - 1)) if i < at else None,
                    )
                )
        AgreementStage.objects.bulk_create(stages, batch_size=BATCH)
        log(f"agreements: {len(agreements):,} signed, {len(procedures):,} in procedure")

        meetings = []
        for pk in rng.sample(pids, min(len(pids), 8_000)):
            if life[pk] == "asleep" and rng.random() < 0.7:
                continue
            meetings.append(
                Meeting(
                    partnership_id=pk,
                    title="Coordination meeting",
                    start=_moment(rng, dt.date(2023, 1, 1), today + dt.timedelta(days=60)),
                    status=rng.choices(["held", "planned"], (85, 15))[0],
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        items = []
        for meeting in meetings:
            for n in range(rng.randint(0, 4)):
                items.append(
                    ActionItem(
                        meeting=meeting,
                        text=f"Follow-up {n + 1}",
                        owner="Bagian Kerja Sama",
                        government_id=rng.choice(sides[meeting.partnership_id]),
                        due=meeting.start.date() + dt.timedelta(days=rng.randint(14, 200)),
                        status=rng.choices(["open", "done", "dropped"], (50, 45, 5))[0],
                    )
                )
        ActionItem.objects.bulk_create(items, batch_size=BATCH)
        log(f"meetings: {len(meetings):,}, action items: {len(items):,}")
        _logins(office)
    return _result(partnerships, activities)


def _logins(office_government: int) -> None:
    from django.contrib.auth import get_user_model

    from kembar.accounts.models import Membership, Organisation
    from kembar.partnerships.models import LocalGovernment

    User = get_user_model()
    oversight, _ = Organisation.objects.get_or_create(name="Benchmark oversight", kind="oversight")
    government = LocalGovernment.objects.get(pk=office_government)
    org, _ = Organisation.objects.get_or_create(
        name=f"Benchmark office of {government.name}", defaults={"local_government": government}
    )
    for username, organisation, role in (("bench-oversight", oversight, "viewer"), ("bench-office", org, "editor")):
        user, _ = User.objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})


def _result(partnerships: int, activities: int) -> Generated:
    from kembar.accounts.models import Organisation
    from kembar.activities.models import Activity
    from kembar.agreements.models import Agreement
    from kembar.meetings.models import ActionItem
    from kembar.partnerships.models import Partnership

    office = Organisation.objects.filter(name__startswith="Benchmark office of").first()
    return Generated(
        Partnership.objects.count(),
        Activity.objects.count(),
        Agreement.objects.count(),
        ActionItem.objects.count(),
        office_government_id=office.local_government_id if office else None,
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(generate(), file=sys.stdout)


if __name__ == "__main__":
    main()
