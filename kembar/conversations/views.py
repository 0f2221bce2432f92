from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.uploads import download_response
from kembar.core.views import filter_values, page_and_query, submitted

from . import presenters, services
from .forms import MessageForm, NotificationForm, SearchForm, SharingForm
from .models import MessageAttachment

PAGE_SIZE = 50


def _partnership_or_404(request, pk: int):
    partnership = services.readable_partnership(request.user, pk)
    if partnership is None:
        raise Http404
    return partnership


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _thread_context(request, partnership, form=None) -> dict:
    """What the conversation's page and its htmx part show."""
    search = SearchForm(request.GET or None)
    text = filter_values(search).get("q", "")
    queryset = services.search(services.messages_of(partnership), text).order_by("-created", "-id")
    page, query = page_and_query(request, queryset, PAGE_SIZE)
    shown = presenters.present(list(reversed(page.object_list)), request.user, request.get_host())
    can_write = permissions.can_write_in_conversation(request.user, partnership)
    if can_write and form is None:
        form = MessageForm()
    shared = services.is_shared(partnership)
    return {
        "partnership": partnership,
        "page": page,
        "query": query,
        "shown": shown,
        "search": search,
        "searching": bool(text),
        "last_read": services.last_read(request.user, partnership),
        "unread": services.unread_counts(request.user, [partnership.pk]).get(partnership.pk, 0),
        "form": form if can_write else None,
        "can_write": can_write,
        "shared": shared,
        "sharing_form": SharingForm(initial={"shared": bool(shared)}) if can_write else None,
    }


@login_required
def thread(request, pk: int):
    """A partnership's conversation; a POST (an editor of either office) adds a message, with
    htmx answering the thread's part, without it redirecting to the page."""
    partnership = _partnership_or_404(request, pk)
    form = None
    if request.method == "POST":
        if not permissions.can_write_in_conversation(request.user, partnership):
            raise PermissionDenied
        form = MessageForm(request.POST if request.method == "POST" else None, request.FILES or None)
        message = submitted(
            request,
            form,
            lambda: services.post_message(
                request.user, partnership, form.cleaned_data["body"], form.cleaned_data["files"]
            ),
            fields={"body": "body", "files": "files"},
        )
        if message is not None:
            if _htmx(request):
                form = None  # a fresh form under the new message
            else:
                messages.success(request, _("Message sent."))
                return redirect(message)
    context = _thread_context(request, partnership, form)
    if _htmx(request):
        response = render(request, "conversations/_thread.html", context)
    else:
        response = render(request, "conversations/thread.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark the conversation read (the page does so as it opens, with htmx; or by its button)."""
    partnership = _partnership_or_404(request, pk)
    services.mark_read(request.user, partnership)
    if _htmx(request):
        return HttpResponse(status=204)
    return redirect("conversations:thread", pk=partnership.pk)


@login_required
@require_POST
def sharing(request, pk: int):
    partnership = _partnership_or_404(request, pk)
    if not permissions.can_write_in_conversation(request.user, partnership):
        raise PermissionDenied
    form = SharingForm(request.POST if request.method == "POST" else None)
    form.is_valid()
    shared = bool(form.cleaned_data.get("shared"))
    services.set_sharing(request.user, partnership, shared)
    messages.success(
        request,
        _("The conversation is now shared with oversight bodies.")
        if shared
        else _("The conversation is no longer shared with oversight bodies."),
    )
    return redirect("conversations:thread", pk=partnership.pk)


@login_required
@require_safe
def attachment(request, file_id: int):
    stored = get_object_or_404(MessageAttachment.objects.select_related("message"), pk=file_id)
    _partnership_or_404(request, stored.message.partnership_id)
    return download_response(stored.file, stored.name, stored.content_type)


@login_required
@require_safe
def inbox(request):
    """The user's conversations, those with unread messages first; or, with ?q=, the messages
    of all of them that hold the words."""
    search = SearchForm(request.GET or None)
    text = filter_values(search).get("q", "")
    partnerships = services.inbox_partnerships(request.user)
    context = {"search": search, "searching": bool(text)}
    if text:
        page, query = page_and_query(request, services.search_all(request.user, text), PAGE_SIZE)
        page.object_list = presenters.present(list(page.object_list), request.user, request.get_host())
        context.update(page=page, query=query)
    else:
        counts = services.unread_counts(request.user, partnerships.values("pk"))
        rows = services.latest_activity(partnerships)
        page, query = page_and_query(request, rows, PAGE_SIZE)
        page.object_list = list(page.object_list)
        for p in page.object_list:
            p.unread = counts.get(p.pk, 0)
        context.update(page=page, query=query, total_unread=sum(counts.values()))
    context["can_choose"] = permissions.has_conversations(request.user)
    return render(request, "conversations/inbox.html", context)


@login_required
def notifications(request):
    """How the user hears of new messages: an e-mail each, a daily digest, or none."""
    if not permissions.has_conversations(request.user):
        raise PermissionDenied
    form = NotificationForm(
        request.POST if request.method == "POST" else None,
        initial={"delivery": services.delivery_of(request.user)},
    )
    if submitted(
        request,
        form,
        lambda: services.set_delivery(request.user, form.cleaned_data["delivery"]),
        _("Your choice is saved."),
    ):
        return redirect(reverse("conversations:notifications"))
    return render(request, "conversations/notifications.html", {"form": form})
