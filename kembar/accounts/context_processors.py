from .permissions import can_schedule_meetings, edits_an_office, has_stage_queue, read_government_ids, rollup_scope


def memberships(request):
    """What menus that depend on the user's rights ask, in every template (named rules of
    `permissions`, never the access object itself)."""
    user = getattr(request, "user", None)
    own = sorted(read_government_ids(user)) if user is not None else []
    return {
        "edits_an_office": edits_an_office(user),
        "schedules_meetings": can_schedule_meetings(user),
        # Oversight bodies and offices' editors have a queue of procedure stages waiting for them.
        "has_stage_queue": has_stage_queue(user),
        # Oversight bodies and platform administrators have a roll-up of their scope (/oversight/).
        "has_rollup": rollup_scope(user) is not None,
        # The office's own government: the menu's "Find partners" opens its suggestions.
        "menu_government_id": own[0] if own else None,
    }
