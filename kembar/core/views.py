"""What every app's views do the same way: fetch the record the user may read, hand a posted form
to a service, and cut a filtered list into pages. The apps' views stay thin function views; these only spare them the repeated
steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from . import caching
from .form_errors import add_errors


def readable_or_404(user, queryset, pk: int, can_view: Callable[[Any, Any], bool]):
    """The record `pk` of `queryset` when `can_view(user, record)`; a 404 otherwise (a record the
    user may not read is one that does not exist for them)."""
    record = get_object_or_404(queryset, pk=pk)
    if not can_view(user, record):
        raise Http404
    return record


def editable_or_403(user, record, can_edit: Callable[[Any, Any], bool]):
    """`record` when `can_edit(user, record)`; a 403 otherwise (the user reads it: they may know it exists)."""
    if not can_edit(user, record):
        raise PermissionDenied
    return record


def submitted(
    request,
    form,
    action: Callable[[], Any],
    success: str | Callable[[Any], str] = "",
    *,
    fields: Mapping[str, str] | None = None,
    whole_form: bool = False,
):
    """What `action()` returned, once the form was posted and valid and the action went through;
    None otherwise: not posted (the page shows the empty form), not valid, or refused.

    `action` takes no arguments: it reads `form.cleaned_data` and calls a service, which returns
    what it saved. A ValidationError from it goes on the form, each message on its field where
    the form has one (`fields` maps the service's field names to the form's, as in `add_errors`;
    `whole_form` puts every message on the form as a whole). After success the user is told
    `success`: a text, or a function of the action's result that gives one.

        saved = submitted(request, form, lambda: services.update_x(request.user, x, **form.cleaned_data),
                          _("Changes saved."))
        if saved is not None:
            return redirect(saved)
        return render(request, "app/form.html", {"form": form})
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as error:
        if whole_form:
            form.add_error(None, error.messages)
        else:
            add_errors(form, error, fields)
        return None
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return result


class RememberedCountPaginator(Paginator):
    """A paginator whose count of a queryset's rows is remembered until the data changes
    (`caching.remembered`): counting a filtered list over the whole registry costs more than
    reading its page."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        try:
            signature = (self.object_list.db, query.sql_with_params())
        except (AttributeError, EmptyResultSet):  # a list, or a filter that matches nothing
            return Paginator.count.func(self)
        return caching.remembered("count", signature, lambda: Paginator.count.func(self))


def page_and_query(request, items, per_page: int) -> tuple[Page, str]:
    """The page of `items` the request asks for (?page=), and the request's other parameters,
    URL-encoded, for the links to the other pages (components/pagination.html's `query`)."""
    page = RememberedCountPaginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def filter_values(form) -> dict:
    """A list's filter form's values: the valid ones apply, an invalid one is left out (and the
    page shows its error); {} when the request asked for no filter (an unbound form)."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def typed_text(request) -> str:
    """What an autocomplete's box holds: `q`, or the `<field>_q` parameter that core's
    Autocomplete widget's box sends (its name is the field's, so a form can read it too)."""
    text = request.GET.get("q")
    if text is None:
        text = next((value for key, value in request.GET.items() if key.endswith("_q")), "")
    return text.strip()[:200]
