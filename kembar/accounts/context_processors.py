from .permissions import edits_an_office


def memberships(request):
    """What menus that depend on the user's rights ask, in every template (named rules of
    `permissions`, never the access object itself)."""
    return {"edits_an_office": edits_an_office(getattr(request, "user", None))}
