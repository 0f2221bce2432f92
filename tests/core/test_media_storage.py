"""Uploaded documents on an S3-compatible store (MEDIA_STORAGE=s3): a local S3 server (moto's
ThreadedMotoServer on 127.0.0.1) stands in for the shared store. An upload through the API lands
in the bucket; downloads still go through the app and its permission check, never to a bucket
URL; the objects are private."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.support.builders import sister_cities
from tests.support.files import pdf_bytes, upload

moto_server = pytest.importorskip("moto.server", reason="moto[server] (the test extra) runs the local S3 server")
boto3 = pytest.importorskip("boto3")

pytestmark = pytest.mark.django_db

KEYS = {"AWS_ACCESS_KEY_ID": "kembar-test", "AWS_SECRET_ACCESS_KEY": "kembar-test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(settings, monkeypatch):
    """A private bucket on a local S3 server, and the media storage pointed at it."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    bucket = f"kembar-media-{uuid.uuid4().hex[:12]}"  # moto keeps its buckets for the whole process
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": KEYS["AWS_ACCESS_KEY_ID"],
                "secret_key": KEYS["AWS_SECRET_ACCESS_KEY"],
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    try:
        yield client, endpoint, bucket
    finally:
        server.stop()


def test_an_uploaded_document_lands_in_the_bucket_and_downloads_only_through_the_permission_check(
    s3, api, client, users, governments, tokens
):
    s3_client, endpoint, bucket_name = s3
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save()
    talk = sister_cities(governments)
    document = pdf_bytes()
    created = client.post(
        f"/api/conversations/{talk.pk}/messages",
        {"body": "Minutes attached", "file": upload("minutes.pdf", document)},
        HTTP_AUTHORIZATION=f"Bearer {tokens['bandung_editor']}",
    )
    assert created.status_code == 201, created.content

    stored = s3_client.list_objects_v2(Bucket=bucket_name)["Contents"]
    assert len(stored) == 1
    key = stored[0]["Key"]
    assert key.startswith("media/") and key.endswith("/minutes.pdf")
    assert s3_client.get_object(Bucket=bucket_name, Key=key)["Body"].read() == document

    link = created.json()["attachments"][0]["download"]
    assert link.startswith("/api/") and endpoint not in link  # the app's own address, not the bucket's
    download = api("get", link, as_="braunschweig_editor")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == document
    assert download["Cache-Control"] == "private, no-store"
    # Someone outside the two offices does not get it, nor does an anonymous caller.
    assert api("get", link, as_="surabaya_editor").status_code == 404
    assert api("get", link).status_code in {401, 404}
    # The object is private: only its owner (the app's keys) is granted anything on it.
    grants = s3_client.get_object_acl(Bucket=bucket_name, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)


def test_deleting_the_message_removes_its_document_from_the_bucket(
    s3, users, governments, django_capture_on_commit_callbacks
):
    from kembar.conversations import services
    from kembar.conversations.models import Message

    s3_client, _endpoint, bucket_name = s3
    talk = sister_cities(governments)
    message = services.post_message(users["bandung_editor"], talk, "With a file", [upload("notes.pdf", pdf_bytes())])
    assert s3_client.list_objects_v2(Bucket=bucket_name)["KeyCount"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        Message.objects.filter(pk=message.pk).delete()
    assert s3_client.list_objects_v2(Bucket=bucket_name)["KeyCount"] == 0
