"""Matching grant calls to partnerships: plain Python, no Django (services turn rows into `Item`s
and reasons into words), in the manner of the solution exchange's matcher (`solutions/match.py`).

A call states whom it is for; what it leaves empty is open to all.

* Eligibility (a partnership that fails one is left out): the partnership's kind is among the
  call's kinds; one of its two governments is in an eligible country; one of them is of an
  eligible level.
* Topic: when the call names fields of cooperation or kinds of activity, the partnership must
  share at least one: a field it records, or a type of activity it has held or planned.

* Plan targets: a target of the partnership's plan of action in force fits the call when the
  activities serving it share one of the call's fields or kinds of activity; such a target also
  meets the topic, and is named in a reason ("fits target: …").

Score = sum of weighted parts between 0 and 1 (WEIGHTS): eligibility (1 once eligible; the
stated criteria met give reasons), field (shared fields over the fewer of the two lists; 0.5
when the call names none), activity (the same for activity types), plan (1 when a target of the
plan fits, 0 when none does, 0.5 when the call names no topic). Best first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEIGHTS = {"eligible": 0.25, "field": 0.4, "activity": 0.2, "plan": 0.15}
TARGETS_NAMED = 3  # a reason names at most this many fitting targets
OPEN = 0.5  # the part's value when the call leaves it open


@dataclass(frozen=True)
class PlanTarget:
    """A target of a partnership's plan in force: the fields and kinds of the activities serving it."""

    title: str
    fields: frozenset[str] = frozenset()
    activity_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Item:
    """A partnership, or a call's criteria, as the matcher sees it. For a call an empty set means any."""

    id: int
    kinds: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    activity_types: frozenset[str] = frozenset()
    targets: tuple[PlanTarget, ...] = ()  # a partnership's plan targets (none for a call)


@dataclass(frozen=True)
class Reason:
    """Why a call fits: kind is "kind", "country", "level", "field", "activity", "target" or "open"."""

    kind: str
    values: tuple[str, ...] = ()

    def text(self) -> str:
        """English words, for logs and tests; pages translate through `services.reason_text`."""
        return {
            "kind": "eligible kind: {}",
            "country": "eligible country: {}",
            "level": "eligible level: {}",
            "field": "same field: {}",
            "activity": "same kind of activity: {}",
            "target": "fits target: {}",
            "open": "open to every partnership{}",
        }[self.kind].format(", ".join(self.values))


@dataclass
class Match:
    call_id: int
    partnership_id: int
    score: float
    reasons: list[Reason] = field(default_factory=list)


def _share(call: frozenset[str], partnership: frozenset[str]) -> tuple[float, tuple[str, ...]]:
    if not call:
        return OPEN, ()
    shared = tuple(sorted(call & partnership))
    if not shared:
        return 0.0, ()
    return len(shared) / min(len(call), len(partnership)), shared


def fit(call: Item, partnership: Item) -> Match | None:
    """How `partnership` fits `call`, or None when it is not eligible or shares nothing of its topic."""
    reasons: list[Reason] = []
    for kind, wanted, has in (
        ("kind", call.kinds, partnership.kinds),
        ("country", call.countries, partnership.countries),
        ("level", call.levels, partnership.levels),
    ):
        if wanted:
            met = tuple(sorted(wanted & has))
            if not met:
                return None
            reasons.append(Reason(kind, met))
    f_score, f_shared = _share(call.fields, partnership.fields)
    a_score, a_shared = _share(call.activity_types, partnership.activity_types)
    topic = bool(call.fields or call.activity_types)
    targets = tuple(
        t.title
        for t in partnership.targets
        if topic and (t.fields & call.fields or t.activity_types & call.activity_types)
    )
    if topic and not (f_shared or a_shared or targets):
        return None
    if f_shared:
        reasons.append(Reason("field", f_shared))
    if a_shared:
        reasons.append(Reason("activity", a_shared))
    if targets:
        reasons.append(Reason("target", targets[:TARGETS_NAMED]))
    if not reasons:
        reasons.append(Reason("open"))
    p_score = (1.0 if targets else 0.0) if topic else OPEN
    parts = {"eligible": 1.0, "field": f_score, "activity": a_score, "plan": p_score}
    score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)
    return Match(call.id, partnership.id, score, reasons)


def partnerships_for_call(call: Item, partnerships: list[Item], *, limit: int | None = None) -> list[Match]:
    """The partnerships that fit a call, best first."""
    found = [m for p in partnerships if (m := fit(call, p)) is not None]
    found.sort(key=lambda m: (-m.score, m.partnership_id))
    return found if limit is None else found[:limit]


def calls_for_partnership(partnership: Item, calls: list[Item], *, limit: int | None = None) -> list[Match]:
    """The calls a partnership fits, best first."""
    found = [m for c in calls if (m := fit(c, partnership)) is not None]
    found.sort(key=lambda m: (-m.score, m.call_id))
    return found if limit is None else found[:limit]
