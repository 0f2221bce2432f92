"""Logs on stderr as JSON lines: each request once, with its id; a 500 with its traceback."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.http import HttpResponse
from django.urls import path

from kembar.core.logs import JsonFormatter


def broken(request):
    raise RuntimeError("the reminder table is missing")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [path("broken/", broken), path("fine/", fine)]


@pytest.fixture
def stderr_logs(settings):
    """The project's LOGGING as configured (JSON format), its stderr stream swapped for a buffer."""
    buffer = io.StringIO()
    config = {**settings.LOGGING}
    config["handlers"] = {"stderr": {**config["handlers"]["stderr"], "formatter": "json", "stream": buffer}}
    logging.config.dictConfig(config)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.urls(__name__)
def test_a_server_error_is_logged_with_its_traceback_and_the_request_id(client, stderr_logs, django_user_model):
    client.raise_request_exception = False
    user = django_user_model.objects.create_user("siti", password="pw-siti-123")
    client.force_login(user)
    response = client.get("/broken/", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-123"
    lines = stderr_logs()
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["level"] == "ERROR" and error["request_id"] == "req-123"
    assert "RuntimeError: the reminder table is missing" in error["traceback"]
    access = next(line for line in lines if line["logger"] == "kembar.request")
    assert access["status"] == 500 and access["path"] == "/broken/" and access["method"] == "GET"
    assert access["request_id"] == "req-123" and access["level"] == "ERROR"
    assert isinstance(access["duration_ms"], float)


@pytest.mark.urls(__name__)
def test_each_request_gets_its_own_id_when_the_caller_sends_none_or_a_bad_one(client, stderr_logs):
    first = client.get("/fine/")
    second = client.get("/fine/", headers={"X-Request-ID": "a b\nforged"})
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert len(second["X-Request-ID"]) == 32 and "forged" not in second["X-Request-ID"]
    access = [line for line in stderr_logs() if line["logger"] == "kembar.request"]
    assert [(a["status"], a["user_id"], a["level"]) for a in access] == [(200, None, "INFO"), (200, None, "INFO")]
    assert [a["request_id"] for a in access] == [first["X-Request-ID"], second["X-Request-ID"]]


def test_the_formatter_writes_one_json_object_with_the_extra_fields():
    record = logging.LogRecord("kembar.jobs", logging.WARNING, __file__, 1, "mail to %s failed", ("x@y.id",), None)
    record.request_id = None
    record.attempt = 3
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "WARNING",
        "logger": "kembar.jobs",
        "message": "mail to x@y.id failed",
        "request_id": None,
        "attempt": 3,
    }
