"""Plans of action and money for the permission sweep's world (tests/test_permission_sweep.py).

Both partnerships have a plan whose summary carries the private note: plans are internal to the
two offices (and oversight), whether the partnership is public or not. Each plan has an objective
led by Bandung with a target served by the partnership's aid shipment, a planned activity and a
budget line; the partnership's activity has a money line; the exchange's pilot has one too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from kembar.plans import services
from kembar.plans.models import Objective, Plan, Target


def sweep_world(w, private_note: str) -> None:
    admin = w.users["platform_admin"]
    bandung = w.governments["bandung"]
    services.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2020, 1, 1))
    w.plans = {}
    for key, partnership in (("private", w.private), ("public", w.public)):
        plan = services.create_plan(
            admin, partnership, title=f"Plan {key}", first_year=2026, last_year=2028, summary=private_note
        )
        objective = services.add_objective(admin, plan, side=bandung, title=f"Objective {key}")
        target = services.add_target(
            admin, objective, title=f"Target {key}", indicator="aid_received", target_value=Decimal(1)
        )
        kind = "in_private" if key == "private" else "hidden"
        link = services.link(admin, target, aid=w.activities[f"aid_{kind}"])
        planned = services.add_planned(admin, objective, year=2027, title=f"Planned {key}", side=bandung)
        line = services.add_line(
            admin, plan, side=bandung, funder="apbd", amount=Decimal(1000), currency="IDR", on=dt.date(2026, 1, 1)
        )
        services.add_line(
            admin,
            w.activities[f"activity_{kind}"],
            side=bandung,
            funder="eu",
            amount=Decimal(10),
            currency="EUR",
            on=dt.date(2026, 1, 1),
            note=private_note,
        )
        w.plans[key] = {"plan": plan, "objective": objective, "target": target, "link": link, "planned": planned}
        w.plans[f"line_{key}"] = line
    services.add_line(
        admin, w.exchange.pilot, side=bandung, funder="apbd", amount=Decimal(5), currency="IDR", on=dt.date(2026, 1, 1)
    )


def ids(w, name: str) -> list[int]:
    return [w.plans["private"][name].pk, w.plans["public"][name].pk]


PATH_VALUES = {
    ("plans", "pk"): lambda w: ids(w, "plan"),
    ("plans", "plan_id"): lambda w: ids(w, "plan"),
    ("objectives", "pk"): lambda w: ids(w, "objective"),
    ("objectives", "objective_id"): lambda w: ids(w, "objective"),
    ("targets", "pk"): lambda w: ids(w, "target"),
    ("targets", "target_id"): lambda w: ids(w, "target"),
    ("links", "pk"): lambda w: ids(w, "link"),
    ("planned", "pk"): lambda w: ids(w, "planned"),
    ("lines", "pk"): lambda w: [w.plans["line_private"].pk, w.plans["line_public"].pk],
}


def _pk(url: str) -> int:
    return int(re.search(r"/(\d+)/", url).group(1))


def _line(w, side: int | None = None) -> dict:
    return {
        "side": side or w.governments["bandung"].pk,
        "kind": "budget",
        "funder": "eu",
        "amount": "1000",
        "currency": "EUR",
        "on": "2026-05-01",
    }


def _target(**extra) -> dict:
    return {"title": "SWEEP-OVERWRITE", "indicator": "participants", "target_value": "10", **extra}


def _unlinked_activity(w, url: str) -> int:
    target = Target.objects.select_related("objective__plan").get(pk=_pk(url))
    return w.activities[
        "activity_in_private" if target.objective.plan.partnership_id == w.private.pk else "activity_hidden"
    ].pk


PAGE_BODIES = {
    "partnerships/<int:pk>/plans/new/": lambda w, url: {
        "title": "Sweep plan",
        "first_year": 2026,
        "last_year": 2027,
        "currency": "IDR",
    },
    "plans/<int:pk>/edit/": lambda w, url: {
        "version": Plan.objects.get(pk=_pk(url)).version,
        "title": "SWEEP-OVERWRITE",
        "first_year": 2026,
        "last_year": 2028,
        "currency": "IDR",
    },
    "plans/<int:pk>/objectives/": lambda w, url: {"side": w.governments["bandung"].pk, "title": "SWEEP-OVERWRITE"},
    "plans/<int:pk>/planned/": lambda w, url: {
        "objective": Objective.objects.filter(plan_id=_pk(url)).first().pk,
        "year": 2027,
        "title": "SWEEP-OVERWRITE",
        "side": w.governments["bandung"].pk,
    },
    "plans/<int:pk>/budget/": lambda w, url: {k: v for k, v in _line(w).items() if k != "kind"},
    "plans/objectives/<int:pk>/edit/": lambda w, url: {
        "version": Objective.objects.get(pk=_pk(url)).version,
        "title": "SWEEP-OVERWRITE",
    },
    "plans/objectives/<int:pk>/targets/": lambda w, url: _target(),
    "plans/targets/<int:pk>/": lambda w, url: _target(version=Target.objects.get(pk=_pk(url)).version),
    "plans/targets/<int:pk>/links/": lambda w, url: {"record": f"activity:{_unlinked_activity(w, url)}"},
    "plans/money/activities/<int:pk>/": lambda w, url: _line(w),
    "plans/money/aid/<int:pk>/": lambda w, url: _line(w),
    "plans/money/pilots/<int:pk>/": lambda w, url: _line(w),
}


def _api_line(**extra) -> dict:
    return {"funder": "eu", "amount": "1000", "currency": "EUR", "on": "2026-05-01", **extra}


API_BODIES = {
    ("post", "/api/plans"): lambda w, kw: {
        "partnership_id": w.private.pk,
        "title": "Sweep plan",
        "first_year": 2026,
        "last_year": 2027,
    },
    ("patch", "/api/plans/{plan_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "version": Plan.objects.get(pk=kw["plan_id"]).version,
    },
    ("post", "/api/plans/{plan_id}/objectives"): lambda w, kw: {
        "side_id": w.governments["bandung"].pk,
        "title": "SWEEP-OVERWRITE",
    },
    ("post", "/api/plans/{plan_id}/lines"): lambda w, kw: _api_line(side_id=w.governments["bandung"].pk),
    ("post", "/api/plans/objectives/{objective_id}/targets"): lambda w, kw: _target(target_value="10"),
    ("patch", "/api/plans/targets/{target_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "version": Target.objects.get(pk=kw["target_id"]).version,
    },
    ("post", "/api/plans/targets/{target_id}/links"): lambda w, kw: {
        "activity_id": _unlinked_activity(w, f"/{kw['target_id']}/")
    },
    ("post", "/api/plans/money/lines"): lambda w, kw: _api_line(
        activity_id=w.activities["activity_in_private"].pk, side_id=w.governments["bandung"].pk
    ),
}
