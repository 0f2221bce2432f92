"""Reminders of agreements, with a frozen clock: each event once, to both offices' editors;
the dashboard lists agreements ending soon and stuck procedures, worst first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kembar.agreements import services
from kembar.agreements.models import AgreementStage, ProcedureTemplate
from kembar.core.models import SentReminder
from kembar.partnerships import services as partnership_services
from tests.support.builders import make_user
from tests.support.files import pdf_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, monkeypatch):
        self.now = START
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def at(self, day: dt.date | dt.datetime) -> None:
        self.now = day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time(6), dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def signed(clock, governments, orgs, users):
    """An MoU signed on 5 Jan 2026 for 2 years: it ends on 5 Jan 2028."""
    make_user("bks", orgs["bandung"], email="bks@bandung.go.id")
    make_user("intl", orgs["braunschweig"], email="intl@braunschweig.de")
    orgs["bandung"].email = "kerjasama@bandung.go.id"
    orgs["bandung"].save()
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"]
    )
    a = services.create_agreement(
        users["platform_admin"],
        p,
        template=ProcedureTemplate.objects.get(code="generic"),
        title="MoU Bandung–Braunschweig",
    )
    a = services.advance(users["platform_admin"], a)
    for _ in range(2):
        services.upload_document(users["platform_admin"], a.stages.get(status="active"), upload("x.pdf", pdf_bytes()))
        a = services.advance(users["platform_admin"], a, signed_on=START.date(), validity_years=2)
    assert a.ends_on == dt.date(2028, 1, 5)
    return a


def remind(capsys, dry=False) -> list[str]:
    call_command("remind", *(["--dry-run"] if dry else []))
    return capsys.readouterr().out.splitlines()


def test_each_end_reminder_goes_once_at_180_90_and_30_days(signed, clock, capsys):
    ends = signed.ends_on
    clock.at(ends - dt.timedelta(days=181))
    assert remind(capsys, dry=True) == []
    clock.at(ends - dt.timedelta(days=180))
    # One event, one mail per language of its readers: Bandung's in Indonesian, Braunschweig's in English.
    lines = remind(capsys, dry=True)
    assert len(lines) == 2
    by_language = {line.split("\t")[3]: line.split("\t")[:3] for line in lines}
    assert {key for key, _to, _subject in by_language.values()} == {f"agreement:{signed.pk}:ends:180"}
    _key, recipients, subject = by_language["[en]"]
    assert recipients == "intl@braunschweig.de"
    assert subject.startswith("MoU Bandung–Braunschweig (") and subject.endswith("ends in 180 days, on 2028-01-05")
    _key, recipients, subject = by_language["[id]"]
    assert recipients == "bks@bandung.go.id, kerjasama@bandung.go.id"
    assert subject.startswith("MoU Bandung–Braunschweig (") and "180 hari" in subject
    assert not mail.outbox  # a dry run sends nothing
    remind(capsys)
    remind(capsys)  # cron again the same day
    clock.at(ends - dt.timedelta(days=120))
    remind(capsys)
    english = [m for m in mail.outbox if m.to == ["intl@braunschweig.de"]]
    assert [m.subject.split(" ends in ")[1] for m in english] == ["180 days, on 2028-01-05"]
    assert sorted(to for m in mail.outbox for to in m.to) == [
        "bks@bandung.go.id",
        "intl@braunschweig.de",
        "kerjasama@bandung.go.id",
    ]
    clock.at(ends - dt.timedelta(days=89))  # a missed day catches up
    remind(capsys)
    clock.at(ends - dt.timedelta(days=30))
    remind(capsys)
    clock.at(ends - dt.timedelta(days=1))
    remind(capsys)
    clock.at(ends + dt.timedelta(days=1))
    assert remind(capsys, dry=True) == []
    assert [k for k in SentReminder.objects.order_by("sent_at").values_list("key", flat=True)] == [
        f"agreement:{signed.pk}:ends:{d}" for d in (180, 90, 30)
    ]
    assert len(mail.outbox) == 6  # three events, each in two languages


def test_an_agreement_entered_late_gets_only_the_nearest_reminder(signed, clock, capsys):
    clock.at(signed.ends_on - dt.timedelta(days=20))
    assert {line.split("\t")[0] for line in remind(capsys, dry=True)} == {f"agreement:{signed.pk}:ends:30"}


def test_a_stage_waiting_too_long_is_reminded_once_per_wait(clock, governments, orgs, users, capsys):
    make_user("bks", orgs["bandung"], email="bks@bandung.go.id")
    p = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], governments["busan"])
    a = services.create_agreement(
        users["platform_admin"], p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="LoI Bandung–Busan"
    )
    a = services.advance(users["platform_admin"], a)  # exploration: usually 90 days
    stage = AgreementStage.objects.get(agreement=a, status="active")
    clock.at(START + dt.timedelta(days=89))
    assert remind(capsys, dry=True) == []
    clock.at(START + dt.timedelta(days=91))
    lines = remind(capsys, dry=True)
    assert len(lines) == 1 and lines[0].startswith(
        f"agreement-stage:{stage.pk}:20260105030000:stuck\tbks@bandung.go.id\t"
    )
    # Bandung's editor reads Indonesian (an Indonesian office, no choice of their own).
    assert "“Penjajakan” sudah menunggu 91 hari (biasanya 90)" in lines[0] and lines[0].endswith("\t[id]")
    remind(capsys)
    clock.at(START + dt.timedelta(days=120))
    remind(capsys)
    assert len(mail.outbox) == 1
    # Advanced and sent back: the stage waits anew, and is reminded anew when it overstays.
    services.upload_document(users["platform_admin"], stage, upload("x.pdf", pdf_bytes()))
    a = services.advance(users["platform_admin"], a)
    a = services.go_back(users["platform_admin"], a, reason="The plan needs work")
    clock.at(START + dt.timedelta(days=220))
    assert len(remind(capsys, dry=True)) == 1
    remind(capsys)
    assert len(mail.outbox) == 2


def test_the_dashboard_lists_ending_and_stuck_worst_first(client, clock, signed, governments, users):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"], public=False
    )
    for title, days_ago in (("LoI A", 140), ("LoI B", 240)):
        clock.at(START)
        a = services.create_agreement(
            users["platform_admin"], p, template=ProcedureTemplate.objects.get(code="ksdpl"), title=title
        )
        clock.at(signed.ends_on - dt.timedelta(days=days_ago))
        services.advance(users["platform_admin"], a)
    clock.at(signed.ends_on - dt.timedelta(days=40))
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    waiting = page[page.index("data-waiting") : page.index("data-slipping")]
    assert "MoU Bandung–Braunschweig" in waiting and "Ends 5 Jan 2028 (in 40 days)" in waiting
    overdue = page[page.index("data-overdue") : page.index("data-coming")]
    assert overdue.index("LoI B") < overdue.index("LoI A")  # longest overdue first
    assert "(110 days)" in overdue and "(10 days)" in overdue
    client.force_login(users["surabaya_editor"])
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "LoI B" not in page and "MoU Bandung–Braunschweig" not in page


def test_the_demo_shows_an_agreement_in_force_one_ending_and_one_stuck(capsys):
    from kembar.agreements.models import Agreement
    from kembar.dashboard.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    assert Agreement.objects.count() == 5
    fort_worth = Agreement.objects.get(title__contains="Fort Worth")
    assert fort_worth.current_status() == "in_force" and fort_worth.ends_on > dt.date.today()
    braunschweig = Agreement.objects.get(title__contains="Braunschweig")
    assert 0 < (braunschweig.ends_on - dt.date.today()).days <= 90
    liverpool = Agreement.objects.get(title__contains="Liverpool")
    assert liverpool.current_status() == "in_procedure"
    assert liverpool.template.code == "ksdpl-loi"  # the Letter of Intent's lighter path
    assert liverpool.stages.get(status="active").template_stage.code == "consideration"
    # Each body of the national chain finds an agreement waiting at its own stage.
    from django.contrib.auth import get_user_model

    waiting = {
        login: [s.template_stage.code for s in services.waiting_for(get_user_model().objects.get(username=login))]
        for login in ("jabar", "kemendagri", "kemlu")
    }
    assert waiting == {"jabar": ["submission"], "kemendagri": ["consideration"], "kemlu": ["full_power"]}
    keys = [line.split("\t")[0] for line in remind(capsys, dry=True)]
    assert f"agreement:{braunschweig.pk}:ends:90" in keys
    assert any(k.startswith("agreement-stage:") for k in keys)


def _started_stage(users, partnership, template: str, title: str, started: dt.datetime) -> AgreementStage:
    a = services.create_agreement(
        users["platform_admin"], partnership, template=ProcedureTemplate.objects.get(code=template), title=title
    )
    services.advance(users["platform_admin"], a)
    stage = AgreementStage.objects.select_related("template_stage").get(agreement=a, status="active")
    AgreementStage.objects.filter(pk=stage.pk).update(started_at=started)
    stage.started_at = started
    return stage


def test_a_stage_is_stuck_from_the_very_moment_its_expected_duration_is_over(clock, governments, users):
    """started_at + expected days is computed by the database: exactly at that moment the stage
    is stuck, a microsecond before it is not (SQLite compares the stored text, PostgreSQL times)."""
    p = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], governments["busan"])
    started = START + dt.timedelta(hours=5, microseconds=250_000)
    stage = _started_stage(users, p, "ksdpl", "LoI", started)
    due = started + dt.timedelta(days=stage.template_stage.expected_days)
    assert stage.due_at() == due
    assert services.stuck_stages(due - dt.timedelta(microseconds=1)) == []
    assert services.stuck_stages(due) == [stage]
    assert services.stuck_stages(due + dt.timedelta(days=400)) == [stage]
    AgreementStage.objects.filter(pk=stage.pk).update(started_at=started.replace(microsecond=0))
    assert services.stuck_stages(due.replace(microsecond=0)) == [stage]  # stored without fraction


def test_the_dashboard_shows_the_most_overdue_stages_first_at_a_constant_query_count(clock, governments, users):
    """Stages of procedures with different expected durations: the order is by due moment, not
    by start, cut to the dashboard's rows in SQL; more stuck procedures cost no more queries."""
    from kembar.agreements.reminders import SHOWN, dashboard_context

    p = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], governments["busan"])
    now = START + dt.timedelta(days=400)
    stages = []

    def add(count: int) -> None:
        for k in range(len(stages), len(stages) + count):
            template = "ksdpl" if k % 2 else "generic"
            stages.append(_started_stage(users, p, template, f"Procedure {k}", START + dt.timedelta(days=7 * k)))

    def shown(measured) -> list:
        user = type(users["bandung_editor"]).objects.get(pk=users["bandung_editor"].pk)  # nothing cached on it
        with measured:
            block = dashboard_context(user, now)
            rows = [
                (s.pk, s.days_overdue, s.agreement.partnership.government_a.name) for s in block["procedures_stuck"]
            ]
        return rows

    with assert_constant_queries() as queries:
        add(3)
        few_rows = shown(queries.few())
        add(SHOWN + 6)
        rows = shown(queries.many())
    expected = sorted((s for s in stages if s.due_at() <= now), key=lambda s: (s.due_at(), s.pk))
    assert len(expected) > SHOWN and len({s.template_stage.expected_days for s in expected}) == 2
    assert expected != sorted(expected, key=lambda s: s.started_at)  # the durations change the order
    assert [r[0] for r in rows] == [s.pk for s in expected[:SHOWN]]
    assert [r[1] for r in rows] == [(now - s.due_at()).days for s in expected[:SHOWN]]
    assert len(few_rows) == 3


def test_the_oversight_home_remembers_its_stuck_procedures_until_the_data_changes(
    clock, governments, users, settings, django_capture_on_commit_callbacks, request
):
    """On the page the block is kept under the reader's agreements and the minute; a procedure
    that gets stuck later in the same minute shows at once once it is committed."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kembar.agreements.reminders import dashboard_context

    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    cache.clear()
    p = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], governments["busan"])
    first = _started_stage(users, p, "generic", "Procedure A", START)
    clock.at(START + dt.timedelta(days=400))
    oversight = users["oversight"]

    def stuck() -> list[int]:
        return [s.pk for s in dashboard_context(oversight)["procedures_stuck"]]

    assert stuck() == [first.pk]
    with CaptureQueriesContext(connection) as kept:
        assert stuck() == [first.pk]
    assert not any("agreements_agreementstage" in q["sql"] for q in kept.captured_queries)
    request.getfixturevalue("committed")
    with django_capture_on_commit_callbacks(execute=True):
        second = _started_stage(users, p, "generic", "Procedure B", START - dt.timedelta(days=30))
    assert stuck() == [second.pk, first.pk]
    cache.clear()


def test_a_national_body_home_lists_the_agreements_of_its_own_country(clock, governments, users):
    """Kemendagri's home shows the stuck procedures and ending agreements of Indonesian
    governments; a public agreement between Kyoto and Busan is not its concern (the platform's
    administrator still sees every one)."""
    from kembar.agreements.models import Agreement
    from kembar.agreements.reminders import dashboard_context

    ours = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"]
    )
    foreign = partnership_services.create_partnership(
        users["platform_admin"], governments["kyoto"], governments["busan"]
    )
    now = START + dt.timedelta(days=400)
    stages = {p: _started_stage(users, p, "generic", f"Procedure {p.pk}", START) for p in (ours, foreign)}
    for p in (ours, foreign):
        Agreement.objects.create(
            partnership=p,
            template=ProcedureTemplate.objects.get(code="generic"),
            title=f"MoU {p.pk}",
            status="signed",
            signed_on=now.date() - dt.timedelta(days=1800),
            ends_on=now.date() + dt.timedelta(days=30),
        )

    def block(user):
        found = dashboard_context(user, now)
        return (
            {s.agreement.partnership_id for s in found["procedures_stuck"]},
            {a.partnership_id for a in found["agreements_ending"]},
        )

    assert block(users["oversight"]) == ({ours.pk}, {ours.pk})
    assert block(users["platform_admin"]) == ({ours.pk, foreign.pk}, {ours.pk, foreign.pk})
    assert stages[foreign].agreement.partnership.public  # readable to Kemendagri, just not its own
    # On the page each stuck procedure names its partnership: the drafts' titles alike say little.
    clock.at(now)
    client = Client()
    client.force_login(users["oversight"])
    stuck = re.search(r"<ul class=\"card\" data-stuck>(.*?)</ul>", client.get("/").content.decode(), re.S).group(1)
    assert f"Procedure {ours.pk}" in stuck and "Bandung – Busan" in stuck
    assert f"Procedure {foreign.pk}" not in stuck
