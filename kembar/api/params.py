"""Small helpers that turn query and path values into what the services take."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kembar.gazetteer.services import country_code


def country(value: str, field: str = "country") -> str:
    """An ISO code from "JP", "jp", "JPN" or "Japan"; a clear 422 for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    code = country_code(value)
    if not code:
        raise ValidationError(
            {field: [_("Unknown country “%(value)s”; use a code such as ID or JP.") % {"value": value}]}
        )
    return code


def get_or_404(queryset: QuerySet, pk: int, message: str) -> Model:
    """The row, or a 404 that reads the same whether it does not exist or is not visible.

    `message` has an %(id)s placeholder: "No partnership with id %(id)s."
    """
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(message % {"id": pk})
    return obj
