"""The grant matcher on its own (plain Python, no database)."""

from kembar.grants.match import Item, calls_for_partnership, fit, partnerships_for_call


def p(pk=1, **kw):
    base = dict(
        kinds=frozenset({"sister_city"}),
        countries=frozenset({"ID", "DE"}),
        levels=frozenset({"city"}),
        fields=frozenset({"culture", "education"}),
        activity_types=frozenset({"student_exchange"}),
    )
    base.update(kw)
    return Item(id=pk, **base)


def test_a_call_open_to_all_fits_every_partnership_with_that_reason():
    m = fit(Item(id=9), p())
    assert m is not None and [r.text() for r in m.reasons] == ["open to every partnership"]


def test_each_stated_criterion_met_is_a_reason_naming_what_matched():
    call = Item(
        id=9,
        kinds=frozenset({"sister_city", "friendship"}),
        countries=frozenset({"DE", "FR"}),
        levels=frozenset({"city"}),
        fields=frozenset({"education", "health"}),
        activity_types=frozenset({"student_exchange"}),
    )
    m = fit(call, p())
    assert [r.text() for r in m.reasons] == [
        "eligible kind: sister_city",
        "eligible country: DE",
        "eligible level: city",
        "same field: education",
        "same kind of activity: student_exchange",
    ]


def test_an_ineligible_kind_country_or_level_leaves_the_partnership_out():
    assert fit(Item(id=1, kinds=frozenset({"friendship"})), p()) is None
    assert fit(Item(id=1, countries=frozenset({"JP"})), p()) is None
    assert fit(Item(id=1, levels=frozenset({"province"})), p()) is None


def test_a_call_with_a_topic_needs_a_shared_field_or_activity():
    assert fit(Item(id=1, fields=frozenset({"health"})), p()) is None
    assert fit(Item(id=1, fields=frozenset({"health"}), activity_types=frozenset({"student_exchange"})), p())


def test_more_in_common_ranks_higher():
    call = Item(id=5, fields=frozenset({"culture", "education"}))
    both, one = p(1), p(2, fields=frozenset({"culture"}), activity_types=frozenset())
    ranked = partnerships_for_call(call, [one, both])
    assert [m.partnership_id for m in ranked] == [1, 2] or ranked[0].score >= ranked[1].score
    assert ranked[0].score >= ranked[1].score
    calls = calls_for_partnership(p(), [Item(id=1, fields=frozenset({"health"})), call])
    assert [m.call_id for m in calls] == [5]


# --- plan targets --------------------------------------------------------------------------------


def test_a_plan_target_served_by_the_calls_kind_of_activity_fits_and_is_named():
    from kembar.grants.match import PlanTarget

    call = Item(id=9, fields=frozenset({"health"}), activity_types=frozenset({"expert_dispatch"}))
    target = PlanTarget("Two nurses trained in Kyoto", frozenset({"education"}), frozenset({"expert_dispatch"}))
    other = PlanTarget("A festival", frozenset({"culture"}), frozenset({"cultural_event"}))
    without_plan = p(activity_types=frozenset({"cultural_event"}))
    with_plan = p(activity_types=frozenset({"cultural_event"}), targets=(target, other))
    assert fit(call, without_plan) is None  # shares no field and no kind of activity
    m = fit(call, with_plan)
    assert m is not None and [r.text() for r in m.reasons] == ["fits target: Two nurses trained in Kyoto"]


def test_a_fitting_plan_target_ranks_a_partnership_higher():
    from kembar.grants.match import PlanTarget

    call = Item(id=9, fields=frozenset({"education"}))
    plain = p(1)
    planned = p(2, targets=(PlanTarget("Exchanges held", frozenset({"education"}), frozenset()),))
    ranked = partnerships_for_call(call, [plain, planned])
    assert [m.partnership_id for m in ranked] == [2, 1] and 0 < ranked[1].score < ranked[0].score <= 1
    assert "fits target: Exchanges held" in [r.text() for r in ranked[0].reasons]


def test_an_open_call_scores_plans_as_open():
    from kembar.grants.match import PlanTarget

    planned = p(targets=(PlanTarget("Exchanges held", frozenset({"education"}), frozenset()),))
    assert fit(Item(id=9), planned).score == fit(Item(id=9), p()).score
