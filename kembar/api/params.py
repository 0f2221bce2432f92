"""Small helpers that turn query and path values into what the services take."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from ninja import Schema

from kembar.api.errors import MISSING_VERSION


def get_or_404(queryset: QuerySet, pk: int, message: str) -> Model:
    """The row, or a 404 that reads the same whether it does not exist or is not visible.

    `message` has an %(id)s placeholder: "No partnership with id %(id)s."
    """
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(message % {"id": pk})
    return obj


def get_or_invalid(queryset: QuerySet, pk: int, field: str, message: str) -> Model:
    """The row a request property names, or a 422 on that property (`message` as in get_or_404)."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: [message % {"id": pk}]})
    return obj


def sent_changes(payload: Schema) -> tuple[dict, int]:
    """A PATCH body of a versioned record: the properties the client sent, and apart from them
    the `version` it read, which the services check as `expected_version`. It is required (the
    schemas say so with `schemas.version_read`): a change without it would silently overwrite."""
    data = payload.dict(exclude_unset=True)
    if data.get("version") is None:
        raise ValidationError({"version": [str(MISSING_VERSION)]})
    return data, data.pop("version")
