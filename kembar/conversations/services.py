"""The conversations' rules, once: posting (with attachments), read state, sharing with
oversight, search, and whom a new message is mailed to and in which language. Pages, the API and
the reminder runner call these; the permission rules are kembar.accounts.permissions'."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.accounts.services import languages_of, user_language
from kembar.core import times
from kembar.core.mail import queue_mail
from kembar.core.queue import enqueue_with_commit
from kembar.core.reminders import mail_url
from kembar.core.uploads import check_upload
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import partnership_queryset

from .models import MAX_BODY, Conversation, Message, MessageAttachment, NotificationChoice, ReadMark
from .vocab import Delivery

# At most this many documents on one message (each within the upload limit).
MAX_ATTACHMENTS = 5
# A search term longer than this is cut (it is a filter, not a document).
MAX_QUERY = 200


# --- reading ---------------------------------------------------------------------------------


def conversation_partnerships(user) -> QuerySet[Partnership]:
    """The partnerships whose conversation the user reads (permissions.visible_conversations)."""
    return permissions.visible_conversations(user, partnership_queryset())


def inbox_partnerships(user) -> QuerySet[Partnership]:
    """The conversations a user's list shows: every partnership of the user's own offices (a
    conversation may start any time); for those who read beyond their own offices (platform
    administrators, oversight bodies) only conversations that have begun."""
    partnerships = conversation_partnerships(user)
    if permissions.office_view_government_ids(user):
        return partnerships
    return partnerships.filter(pk__in=Message.objects.values("partnership"))


def readable_partnership(user, partnership_id: int) -> Partnership | None:
    """The partnership, if the user reads its conversation; None otherwise (it does not exist for them)."""
    partnership = partnership_queryset().select_related("conversation").filter(pk=partnership_id).first()
    if partnership is None or not permissions.can_read_conversation(user, partnership):
        return None
    return partnership


def messages_of(partnership: Partnership) -> QuerySet[Message]:
    """A partnership's messages with their authors, sides and attachments, oldest first."""
    return (
        Message.objects.filter(partnership=partnership)
        .select_related("author", "government")
        .prefetch_related("attachments")
        .order_by("created", "id")
    )


def search(queryset: QuerySet[Message], text: str) -> QuerySet[Message]:
    """The messages whose text or attachment names hold `text` (case-insensitive, as typed)."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return queryset
    found = Q(body__icontains=text) | Q(attachments__name__icontains=text)
    return queryset.filter(pk__in=Message.objects.filter(found).values("pk"))


def search_all(user, text: str) -> QuerySet[Message]:
    """The user's own conversations' messages (those they read) that hold `text`, newest first."""
    messages = Message.objects.filter(partnership__in=conversation_partnerships(user).values("pk"))
    return (
        search(messages, text)
        .select_related("author", "government", "partnership__government_a", "partnership__government_b")
        .prefetch_related("attachments")
        .order_by("-created", "-id")
    )


# --- read state ------------------------------------------------------------------------------


def _last_read(user) -> Subquery:
    marks = ReadMark.objects.filter(user=user.pk, partnership=OuterRef("partnership")).values("last_read")[:1]
    return Coalesce(Subquery(marks), Value(0), output_field=IntegerField())


def unread_messages(user, partnerships: QuerySet | Iterable[int]) -> QuerySet[Message]:
    """The messages of these partnerships the user has not read (others' messages only: one's own
    are read)."""
    if not getattr(user, "pk", None):
        return Message.objects.none()
    return (
        Message.objects.filter(partnership__in=partnerships)
        .exclude(author=user.pk)
        .annotate(last_read=_last_read(user))
        .filter(pk__gt=F("last_read"))
    )


def unread_counts(user, partnerships: QuerySet | Iterable[int]) -> dict[int, int]:
    """{partnership id: unread messages} for the partnerships that have any (one query)."""
    rows = unread_messages(user, partnerships).values("partnership").annotate(n=Count("pk")).order_by()
    return {row["partnership"]: row["n"] for row in rows}


def last_read(user, partnership: Partnership) -> int:
    """The id of the last message the user has read here (0: none)."""
    if not getattr(user, "pk", None):
        return 0
    return ReadMark.objects.filter(user=user, partnership=partnership).values_list("last_read", flat=True).first() or 0


def mark_read(user, partnership: Partnership, up_to: int | None = None) -> int:
    """Mark the conversation read up to message `up_to` (default: its latest), never backwards;
    returns the id now marked. A reader who may not read it gets a PermissionDenied."""
    if not getattr(user, "pk", None) or not permissions.can_read_conversation(user, partnership):
        raise PermissionDenied(_("You may not read this conversation."))
    latest = Message.objects.filter(partnership=partnership).order_by("-id").values_list("pk", flat=True).first() or 0
    target = latest if up_to is None else min(up_to, latest)
    with transaction.atomic():
        mark, _made = ReadMark.objects.select_for_update().get_or_create(user=user, partnership=partnership)
        if target > mark.last_read:
            mark.last_read = target
            mark.save(update_fields=["last_read", "updated"])
    return max(target, mark.last_read)


# --- writing ---------------------------------------------------------------------------------


def clean_body(body: str) -> str:
    """The message as stored: trimmed, not empty, at most MAX_BODY characters (ValidationError on `body`)."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {
                "body": [
                    _("A message may be at most %(limit)d characters long (this one has %(n)d).")
                    % {"limit": MAX_BODY, "n": len(body)}
                ]
            }
        )
    return body


def post_message(user, partnership: Partnership, body: str, uploads: Iterable = ()) -> Message:
    """Post a message, with its documents (each through the one upload check), in one
    transaction: a refused document leaves no message. The offices' members hear of it by
    e-mail (the job queue; `notify`)."""
    if not permissions.can_write_in_conversation(user, partnership):
        raise PermissionDenied(_("You may not write in this conversation."))
    body = clean_body(body)
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"files": [_("At most %(n)d documents per message.") % {"n": MAX_ATTACHMENTS}]})
    checked = []
    for upload in uploads:
        try:
            checked.append(getattr(upload, "checked", None) or check_upload(upload))
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
    with transaction.atomic():
        message = Message.objects.create(
            partnership=partnership,
            author=user if getattr(user, "pk", None) else None,
            government_id=permissions.conversation_side(user, partnership),
            body=body,
        )
        for upload, check in zip(uploads, checked):
            MessageAttachment.objects.create(
                message=message, file=upload, name=check.name, content_type=check.content_type, size=check.size
            )
        from .tasks import notify_message

        enqueue_with_commit(notify_message, message.pk)
    return message


def set_sharing(user, partnership: Partnership, shared: bool) -> Conversation:
    """Share the conversation with oversight bodies, or stop sharing it (editors of either office)."""
    if not permissions.can_write_in_conversation(user, partnership):
        raise PermissionDenied(_("You may not change this conversation."))
    with transaction.atomic():
        conversation, _made = Conversation.objects.select_for_update().get_or_create(partnership=partnership)
        if conversation.shared_with_oversight != shared or _made:
            conversation.shared_with_oversight = shared
            conversation.shared_by = user if getattr(user, "pk", None) else None
            conversation.shared_changed = timezone.now()
            conversation.save()
    return conversation


def sharing_of(partnership: Partnership) -> Conversation:
    """The conversation's settings (an unsaved row, not shared, before anyone set them)."""
    return Conversation.objects.select_related("shared_by").filter(partnership=partnership).first() or Conversation(
        partnership=partnership
    )


def is_shared(partnership: Partnership) -> Conversation | None:
    """The conversation's settings row, if it is shared with oversight."""
    return Conversation.objects.filter(partnership=partnership, shared_with_oversight=True).first()


# --- notifications ---------------------------------------------------------------------------


def delivery_of(user) -> str:
    """How the user hears of new messages (an e-mail per message unless they chose otherwise)."""
    return NotificationChoice.objects.filter(user=user).values_list("delivery", flat=True).first() or Delivery.IMMEDIATE


def set_delivery(user, delivery: str) -> NotificationChoice:
    if not permissions.has_conversations(user) or not getattr(user, "pk", None):
        raise PermissionDenied(_("You take part in no conversation."))
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": [_("Choose one of the offered ways.")]})
    choice, _made = NotificationChoice.objects.update_or_create(user=user, defaults={"delivery": delivery})
    return choice


def mail_language(user) -> str:
    """The language of the mails a user receives: their own choice, else their office's
    country's (kembar.accounts.services.user_language)."""
    return user_language(user)


def members(partnership: Partnership, delivery: str):
    """The active members (any role) of the two offices who chose `delivery` and have an address."""
    User = get_user_model()
    offices = Organisation.objects.filter(
        kind=Organisation.Kind.GOVERNMENT,
        local_government__in=[partnership.government_a_id, partnership.government_b_id],
    )
    users = User.objects.filter(is_active=True, memberships__organisation__in=offices).exclude(email="").distinct()
    chosen = NotificationChoice.objects.filter(user=OuterRef("pk")).values("delivery")[:1]
    users = users.annotate(delivery=Coalesce(Subquery(chosen), Value(Delivery.IMMEDIATE)))
    return users.filter(delivery=delivery).order_by("pk")


def notify(message_id: int) -> int:
    """Mail a new message to the members of both offices who want each message (never its
    author), each in their language; returns how many mails were queued."""
    message = (
        Message.objects.select_related("author", "government", "partnership__government_a", "partnership__government_b")
        .prefetch_related("attachments")
        .filter(pk=message_id)
        .first()
    )
    if message is None:  # deleted before the job ran
        return 0
    count = 0
    readers = [user for user in members(message.partnership, Delivery.IMMEDIATE) if user.pk != message.author_id]
    languages = languages_of(readers)
    for user in readers:
        with translation.override(languages[user.pk]):
            subject = _("New message: %(partnership)s") % {"partnership": _pair(message.partnership)}
            body = _message_mail(message)
        count += bool(queue_mail(subject, body, [user.email]))
    return count


def _pair(partnership: Partnership) -> str:
    return f"{partnership.government_a.name} – {partnership.government_b.name}"


def author_line(message: Message) -> str:
    """“siti (Kota Bandung)”: who wrote, for whom."""
    name = message.author.get_username() if message.author else _("a former user")
    side = message.government.name if message.government else _("platform administrator")
    return f"{name} ({side})"


def _message_mail(message: Message) -> str:
    files = [a.name for a in message.attachments.all()]
    lines = [
        _("%(author)s wrote in the conversation of %(partnership)s:")
        % {"author": author_line(message), "partnership": _pair(message.partnership)},
        "",
        message.body,
        "",
    ]
    if files:
        lines += [_("Attached: %(files)s") % {"files": ", ".join(files)}, ""]
    lines += [
        _("Read and answer: %(url)s") % {"url": mail_url(message)},
        "",
        _(
            "You receive this because you are a member of one of the two offices. Choose how you hear of new messages: %(url)s"
        )
        % {"url": _settings_url()},
    ]
    return "\n".join(lines)


def _settings_url() -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.KEMBAR_SITE_URL + reverse("conversations:notifications")


def digest_mail(user, messages: list[Message], zone: str = "UTC") -> tuple[str, str]:
    """The subject and text of a day's digest of unread messages (in the active language), each
    message's time in the reader's `zone`, named."""
    subject = _("Unread messages: %(n)d") % {"n": len(messages)}
    lines = []
    current = None
    for message in messages:
        if message.partnership_id != current:
            current = message.partnership_id
            lines += ["", f"== {_pair(message.partnership)} ==", mail_url(message).split("#")[0]]
        when = times.moment(message.created, zone)
        lines += ["", f"{when} · {author_line(message)}", message.body]
        files = [a.name for a in message.attachments.all()]
        if files:
            lines.append(_("Attached: %(files)s") % {"files": ", ".join(files)})
    lines += ["", _("Choose how you hear of new messages: %(url)s") % {"url": _settings_url()}]
    return subject, "\n".join(lines).strip() + "\n"


def latest_activity(partnerships: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """The partnerships with their number of messages and the time of the last one, the most
    recently active first (those without messages last)."""
    return partnerships.annotate(last_message=Max("messages__created"), message_count=Count("messages")).order_by(
        F("last_message").desc(nulls_last=True), "government_a__name", "pk"
    )


def dashboard_unread(user, limit: int = 5) -> dict:
    """For the dashboard: the unread messages of the user's conversations in all, and the
    conversations that have some, most unread first (a fixed number of queries)."""
    counts = unread_counts(user, conversation_partnerships(user).values("pk"))
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    found = partnership_queryset().in_bulk([pk for pk, _n in top]) if top else {}
    return {
        "total": sum(counts.values()),
        "conversations": [(found[pk], n) for pk, n in top if pk in found],
        "more": max(0, len(counts) - limit),
    }
