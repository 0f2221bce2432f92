from .permissions import access


def memberships(request):
    """`kembar_access` in every template, for menus that depend on the user's rights."""
    return {"kembar_access": access(getattr(request, "user", None))}
