"""Logs a deployment's collector can read: one JSON object per line on stderr.

Every request gets an id (the proxy's `X-Request-ID` when it sends a sane one, else a new one),
returned in the response's `X-Request-ID` header and attached to every log line written while the
request runs, so a 500's traceback (logged by Django's `django.request` logger) and the request's
own line (`kembar.request`: method, path, status, duration, user id) are found together.
Settings: LOG_LEVEL (default INFO) and LOG_FORMAT (`json`, the default with DEBUG off, or `text`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from django.utils.functional import empty

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Attributes every LogRecord has; anything else on a record came as `extra` and is logged too.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

access_log = logging.getLogger("kembar.request")


class RequestContextFilter(logging.Filter):
    """Puts the current request's id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """time (UTC), level, logger, message, the record's extra fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["traceback"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def _user_id(request) -> int | None:
    """The user's id if the request already looked the user up (logging adds no query)."""
    user = getattr(request, "user", None)
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestLogMiddleware:
    """First in MIDDLEWARE: names the request, times it, logs one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = rid
        # The id stays set until the request is finished: Django logs a 4xx ("Not Found: …") after
        # the middleware has returned.
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


def forget_request_id(**kwargs) -> None:
    """Connected to request_finished in CoreConfig.ready()."""
    request_id.set(None)
