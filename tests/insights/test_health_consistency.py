"""The health score has two implementations of one set of rules: the ranking scores a whole scope in
SQL (`score.annotate`), and a page scores its few rows in Python from small aggregate queries
(`score.add_evidence`), because building the SQL for one partnership cost more than running it.
On generated volume (agreements in force, ending, expired and stuck, series, postponements,
meetings with overdue action items, private activities) and the demo's plans of action, both
give every partnership the same score and state, for every kind of reader."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from kembar.dashboard import generate
from kembar.dashboard.demo import load_demo
from kembar.gazetteer.models import Place
from kembar.insights.health import score
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import government_for_place
from tests.insights.test_health import mou, overdue_items
from tests.support.builders import held_activity, imported_link, office_member

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def volume():
    load_demo()
    places = list(Place.objects.filter(kind="city", country_code__in=["ID", "JP"]).order_by("-population")[:31])
    governments = [government_for_place(place) for place in places]
    for first, second in zip(governments, governments[1:], strict=False):
        imported_link(first, second)
    generate.generate(generate.Plan(1_500, 25, 120, 11, TODAY))
    # One struggling partnership (the volume has none): held once 20 months ago by one side, its
    # MoU expired, three action items overdue.
    first, second = sorted((governments[0], governments[5]), key=lambda g: g.pk)
    p = Partnership.objects.create(government_a=first, government_b=second, status="active")
    held_activity(get_user_model().objects.get(username="admin"), p, first, NOW - relativedelta(months=20))
    mou(p, dt.date(2019, 1, 10), years=5)
    overdue_items(p, first, 3, TODAY - dt.timedelta(days=30))
    return governments


def readers(governments) -> dict[str, object]:
    return {
        "visitor": AnonymousUser(),
        "demo office": get_user_model().objects.get(username="bandung"),
        "office of a generated partnership": office_member(
            "generated-office", governments[1], f"Office of {governments[1].name}"
        ),
        "oversight": get_user_model().objects.get(username="kemendagri"),
    }


def test_the_page_scores_every_partnership_as_the_ranking_does(volume):
    seen_states: set[str] = set()
    for name, user in readers(volume).items():
        report = score.HealthReport(user, now=NOW)
        ranked = report.states()
        assert ranked, name
        described = {h.partnership.pk: (h.score, h.state) for h in report.healths(list(ranked))}
        assert described == ranked, name
        seen_states |= {state for _score, state in ranked.values()}
    # The volume reaches every state, so each rule was compared on something.
    assert seen_states == set(score.STATES)


def test_the_factors_add_up_to_the_score_and_name_the_evidence(volume):
    report = score.HealthReport(get_user_model().objects.get(username="kemendagri"), now=NOW)
    factors_seen = set()
    for health in report.healths(list(report.states())):
        points = {f.code: f.points for f in health.factors}
        others = sum(v for k, v in points.items() if k != "frequency")
        assert health.score == min(others, 100 - points["frequency"]) + points["frequency"]
        factors_seen |= {f.code for f in health.factors if f.points}
    assert {"recency", "frequency", "agreement", "procedure", "actions", "two_sided", "plan"} <= factors_seen
