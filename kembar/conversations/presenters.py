"""A message as a page shows it: plain text, escaped, its http/https links clickable, and a pasted
kembar link to an activity, agreement, meeting or action item of the same partnership shown as
that record's title, for a reader who may see it (otherwise the link stays as it was pasted).

The records are fetched once per kind for a whole page of messages (`Mentions.load`), so the
page's query count does not grow with the number of messages or links."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.activities.models import Activity
from kembar.agreements.models import Agreement
from kembar.meetings.models import ActionItem, Meeting

# A link is http:// or https:// up to a space or an angle bracket or quote; a closing
# punctuation mark at its end belongs to the sentence.
LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)]}’”"
ACTION_FRAGMENT = re.compile(r"^action-(\d+)$")

# The kinds a link may mention: the URL name of its page, and the mention's label.
KINDS = {
    "activities:detail": "activity",
    "agreements:detail": "agreement",
    "meetings:detail": "meeting",
}


@dataclass(frozen=True)
class Ref:
    kind: str  # activity, agreement, meeting, action
    pk: int


def _split_link(text: str) -> tuple[str, str]:
    """The link and what follows it that is punctuation of the sentence."""
    end = len(text)
    while end and text[end - 1] in TRAILING:
        end -= 1
    return text[:end], text[end:]


def site_hosts(extra: Iterable[str] = ()) -> set[str]:
    """The hosts whose links are kembar links: the site's address, and the host the page is served from."""
    hosts = {urlsplit(settings.KEMBAR_SITE_URL).netloc.lower()} if settings.KEMBAR_SITE_URL else set()
    return (hosts | {h.lower() for h in extra if h}) - {""}


def reference(url: str, hosts: set[str]) -> Ref | None:
    """The record a kembar link points at, or None (another site, another page)."""
    parts = urlsplit(url)
    if parts.netloc.lower() not in hosts:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    kind = KINDS.get(match.view_name)
    pk = match.kwargs.get("pk")
    if kind is None or not isinstance(pk, int):
        return None
    action = ACTION_FRAGMENT.match(parts.fragment or "")
    if kind == "meeting" and action:
        return Ref("action", int(action.group(1)))
    return Ref(kind, pk)


def references(bodies: Iterable[str], hosts: set[str]) -> set[Ref]:
    found = set()
    for body in bodies:
        for m in LINK.finditer(body):
            ref = reference(_split_link(m.group())[0], hosts)
            if ref:
                found.add(ref)
    return found


class Mentions:
    """The records a page's messages mention, each as (title, kind label) when the reader may see it."""

    def __init__(self, titles: dict[Ref, tuple[str, str, int]]):
        self.titles = titles  # ref -> (title, kind label, partnership id)

    @classmethod
    def load(cls, user, bodies: Iterable[str], hosts: set[str]) -> Mentions:
        refs = references(bodies, hosts)
        wanted: dict[str, list[int]] = defaultdict(list)
        for ref in refs:
            wanted[ref.kind].append(ref.pk)
        titles: dict[Ref, tuple[str, str, int]] = {}
        if wanted["activity"]:
            for a in Activity.objects.select_related("partnership").filter(pk__in=wanted["activity"]):
                if permissions.can_view_under_partnership(user, a):
                    titles[Ref("activity", a.pk)] = (a.title, _("activity"), a.partnership_id)
        if wanted["agreement"]:
            for g in Agreement.objects.select_related("partnership").filter(pk__in=wanted["agreement"]):
                if permissions.can_view_agreement(user, g):
                    titles[Ref("agreement", g.pk)] = (g.title, _("agreement"), g.partnership_id)
        if wanted["meeting"]:
            meetings = Meeting.objects.select_related("partnership").prefetch_related("extra_governments")
            for m in meetings.filter(pk__in=wanted["meeting"]):
                if permissions.can_view_meeting(user, m):
                    titles[Ref("meeting", m.pk)] = (m.title, _("meeting"), m.partnership_id)
        if wanted["action"]:
            items = ActionItem.objects.select_related("meeting__partnership").prefetch_related(
                "meeting__extra_governments"
            )
            for item in items.filter(pk__in=wanted["action"]):
                if permissions.can_view_meeting(user, item.meeting):
                    titles[Ref("action", item.pk)] = (item.text, _("action item"), item.meeting.partnership_id)
        return cls(titles)

    def title(self, ref: Ref | None, partnership_id: int) -> tuple[str, str] | None:
        """The mention's (title, kind label), if the record is of this partnership and the reader sees it."""
        found = self.titles.get(ref) if ref else None
        if found is None or found[2] != partnership_id:
            return None
        return found[0], found[1]


def render_body(body: str, partnership_id: int, mentions: Mentions, hosts: set[str]) -> SafeString:
    """The message's text as HTML: escaped, links clickable (http/https only), mentions titled.
    Line breaks stay as they are (the page shows the text with `white-space: pre-wrap`)."""
    pieces: list[SafeString | str] = []
    last = 0
    for m in LINK.finditer(body):
        url, rest = _split_link(m.group())
        pieces.append(format_html("{}", body[last : m.start()]))
        found = mentions.title(reference(url, hosts), partnership_id)
        if found:
            title, kind = found
            pieces.append(format_html('<a class="mention" href="{}">{}: {}</a>', url, kind, title))
        else:
            pieces.append(format_html('<a href="{}" rel="noopener noreferrer nofollow">{}</a>', url, url))
        pieces.append(format_html("{}", rest))
        last = m.end()
    pieces.append(format_html("{}", body[last:]))
    return mark_safe("".join(pieces))


def present(messages: list, user, request_host: str = "") -> list:
    """Each message with `html` (its rendered text), for a page of one or several conversations."""
    hosts = site_hosts([request_host])
    mentions = Mentions.load(user, (m.body for m in messages), hosts)
    for m in messages:
        m.html = render_body(m.body, m.partnership_id, mentions, hosts)
    return messages
