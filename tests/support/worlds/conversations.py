"""Messages of the permission sweep's world (tests/test_permission_sweep.py): the private
partnership's conversation carries the private marker and a document; the public partnership's
conversation has a message too (its conversation is no more public than the private one's)."""

from __future__ import annotations

from kembar.conversations import services
from tests.support.files import pdf_bytes, upload


def sweep_world(w, private_note: str) -> None:
    admin = w.users["platform_admin"]
    w.message = services.post_message(
        admin, w.private, f"Between the offices. {private_note}", [upload("surat.pdf", pdf_bytes("Surat"))]
    )
    w.message_file = w.message.attachments.get()
    w.public_message = services.post_message(admin, w.public, "Between the offices of a public partnership.")


PATH_VALUES = {
    ("conversations", "partnership_id"): lambda w: [w.private.pk, w.public.pk],
    ("files", "file_id"): lambda w: [w.message_file.pk],
}

PAGE_BODIES = {
    "partnerships/<int:pk>/conversation/": lambda w, url: {"body": "Sweep message"},
    "partnerships/<int:pk>/conversation/read/": lambda w, url: {},
    "partnerships/<int:pk>/conversation/sharing/": lambda w, url: {"shared": "on"},
    "conversations/notifications/": lambda w, url: {"delivery": "digest"},
}

API_BODIES = {
    ("post", "/api/conversations/{partnership_id}/messages"): lambda w, kw: {"body": "Sweep message"},
    ("post", "/api/conversations/{partnership_id}/sharing"): lambda w, kw: {"shared": True},
}

# A reader of a conversation keeps their own read state, and any member of an office chooses how
# they hear of new messages: these writes succeed by design and change only the table named.
READ = ("post", "partnerships/<int:pk>/conversation/read/")
READ_API = ("post", "/api/conversations/{partnership_id}/read")
CHOICE = ("post", "conversations/notifications/")
ALLOWED_BY_DESIGN = {
    ("partner_viewer", *READ): "a reader of the conversation marks it read for themself",
    ("partner_viewer", *READ_API): "a reader of the conversation marks it read for themself",
    ("partner_viewer_token", *READ_API): "a reader of the conversation marks it read for themself",
    ("partner_viewer", *CHOICE): "a member of an office chooses how they hear of new messages",
    ("unrelated_editor", *CHOICE): "a member of an office chooses how they hear of new messages",
}
ALLOWED_BY_DESIGN_CHANGES = {
    READ: {"conversations.ReadMark"},
    READ_API: {"conversations.ReadMark"},
    CHOICE: {"conversations.NotificationChoice"},
}
