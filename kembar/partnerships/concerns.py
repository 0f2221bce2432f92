"""What a change of a partnership's records concerns, for the stamps of `kembar.core.stamps`.

A partnership's records concern the partnership and both of its governments (an office's
dashboard and a government's page show them); a government's own records (a need, a partner
request) and its name concern the government, its partnerships and its partners (their pages
show them). The apps describe their models with `describe` in their
AppConfig.ready(), naming the attributes that lead to the partnership and the governments.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from django.db.models import Q

from kembar.core import stamps
from kembar.core.database import pending_until_commit
from kembar.core.stamps import Subject


def _forget(memo: dict) -> None:
    """The end of a transaction's memo of partnerships' governments (nothing to write)."""


def _governments_memo() -> dict[int, tuple[int, int]] | None:
    """{partnership id: its governments} known in this transaction (None outside one): the rows
    one service saves for a partnership (an agreement and its stages) look them up once."""
    return pending_until_commit(_forget, dict)


def of_partnerships(ids: Iterable[int | None], loaded: Iterable = ()) -> set[Subject]:
    """The partnerships and their governments (one query, none for those this transaction has
    already looked up or that are among the `loaded` partnerships)."""
    from .models import Partnership

    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    memo = _governments_memo()
    known = {pk: memo[pk] for pk in ids if pk in memo} if memo is not None else {}
    known.update({p.pk: (p.government_a_id, p.government_b_id) for p in loaded if p.pk in ids})
    if missing := ids - known.keys():
        rows = Partnership.objects.filter(pk__in=missing).values_list("pk", "government_a_id", "government_b_id")
        found = {pk: (a, b) for pk, a, b in rows}
        known.update(found)
        if memo is not None:
            memo.update(found)
    return {("partnership", pk) for pk in ids} | {("government", g) for a, b in known.values() for g in (a, b)}


def of_governments(ids: Iterable[int | None]) -> set[Subject]:
    """The governments, their partnerships and their partners: the partnerships' pages and the
    partners' dashboards show a government's name and records (one query)."""
    from .models import Partnership

    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    rows = Partnership.objects.filter(Q(government_a__in=ids) | Q(government_b__in=ids)).values_list(
        "pk", "government_a_id", "government_b_id"
    )
    return {("government", pk) for pk in ids} | {
        s for p, a, b in rows for s in (("partnership", p), ("government", a), ("government", b))
    }


def partnership_of(model: type, pk: int) -> list[Subject]:
    """The partnership of the row `pk` of `model` (with a `partnership` field), as the subject of
    its page (one query; nothing for a row that is not there)."""
    return [("partnership", p) for p in model.objects.filter(pk=pk).values_list("partnership_id", flat=True)]


def describe(model: type, *, partnership: str = "", governments: Iterable[str] = ()) -> None:
    """Rows of `model` concern the partnership at the attribute path `partnership` (with its
    governments) and the governments at the paths `governments` ("meeting.partnership_id"), with
    theirs (`of_governments`) unless they are the partnership's own."""
    partnership_of = attrgetter(partnership) if partnership else None
    governments_of = [attrgetter(path) for path in governments]
    # A row's own partnership, when the service that saves it has it at hand (an agreement
    # created for it): its governments are read from it, not looked up.
    own = model._meta.get_field("partnership") if partnership == "partnership_id" else None

    def resolve(instance) -> set[Subject]:
        loaded = [instance.partnership] if own is not None and own.is_cached(instance) else []
        subjects = of_partnerships([partnership_of(instance)], loaded) if partnership_of else set()
        others = {g(instance) for g in governments_of} - {pk for kind, pk in subjects if kind == "government"}
        return subjects | of_governments(others)

    stamps.concerns(model, resolve)


def describe_own() -> None:
    """This app's models (PartnershipsConfig.ready())."""
    from .models import LocalGovernment, Partnership

    def of_partnership(p: Partnership) -> set[Subject]:
        memo = _governments_memo()
        if memo is not None:  # its records saved later in this transaction: its governments now
            memo[p.pk] = (p.government_a_id, p.government_b_id)
        return {("partnership", p.pk), ("government", p.government_a_id), ("government", p.government_b_id)}

    stamps.concerns(Partnership, of_partnership)
    stamps.concerns(LocalGovernment, lambda g: of_governments([g.pk]))
