"""Small helpers that turn query and path values into what the services take."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def get_or_404(queryset: QuerySet, pk: int, message: str) -> Model:
    """The row, or a 404 that reads the same whether it does not exist or is not visible.

    `message` has an %(id)s placeholder: "No partnership with id %(id)s."
    """
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(message % {"id": pk})
    return obj
