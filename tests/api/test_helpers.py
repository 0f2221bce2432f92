"""The app-independent API helpers the routers share (kembar/api/params.py, kembar/api/uploads.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import Schema

from kembar.api import params, uploads
from kembar.gazetteer.models import Place


class Patch(Schema):
    title: str | None = None
    version: int | None = None


def test_sent_changes_keeps_what_was_sent_and_splits_off_the_version():
    assert params.sent_changes(Patch(title="New", version=3)) == ({"title": "New"}, 3)
    assert params.sent_changes(Patch(version=3)) == ({}, 3)


@pytest.mark.parametrize("patch", [Patch(title="New"), Patch(title="New", version=None), Patch()])
def test_sent_changes_without_the_version_is_a_422_on_version(patch):
    """A change that would silently overwrite whatever someone else saved in between."""
    with pytest.raises(ValidationError) as raised:
        params.sent_changes(patch)
    assert list(raised.value.message_dict) == ["version"]


@pytest.mark.django_db
def test_get_or_invalid_is_the_row_or_a_422_on_the_property():
    place = Place.objects.order_by("pk").first()
    assert params.get_or_invalid(Place.objects.all(), place.pk, "place_id", "No place with id %(id)s.") == place
    with pytest.raises(ValidationError) as raised:
        params.get_or_invalid(Place.objects.all(), 0, "place_id", "No place with id %(id)s.")
    assert raised.value.message_dict == {"place_id": ["No place with id 0."]}


def test_checked_upload_asks_who_may_before_reading_the_file():
    not_a_document = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00 an executable")
    with pytest.raises(PermissionDenied, match="You may not"):
        uploads.checked_upload(not_a_document, allowed=False, refusal="You may not.")
    with pytest.raises(ValidationError) as raised:
        uploads.checked_upload(not_a_document, allowed=True, refusal="You may not.")
    assert list(raised.value.message_dict) == ["file"]


def test_download_resolver_links_to_the_named_operation():
    class Stored:
        pk = 7

    resolver = uploads.download_resolver("download_meeting_attachment")
    assert resolver.__func__(Stored()) == "/api/meetings/attachments/7"
