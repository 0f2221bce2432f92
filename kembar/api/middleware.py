"""Errors that happen before or around an API operation answer JSON too.

The operations themselves answer `{"detail": …}` (kembar/api/errors.py). Some errors never reach
them: an unknown path (404) or method (405) under /api/, a body over the size limit, a server
error (500). Django answers those with HTML pages meant for browsers; under /api/ this middleware
turns them into the same `{"detail": …}` shape, keeping the status and headers such as `Allow`,
and Django's mark that the error is logged already (each is logged once, a 500 with its
traceback and request id: kembar/core/logs.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PREFIX = "/api/"


def _detail(request, response) -> str:
    status = response.status_code
    if status == 404:
        return _("There is no API operation at %(path)s; the operations are listed at /api/docs.") % {
            "path": request.path
        }
    if status == 405:
        return _("%(method)s is not allowed at %(path)s; allowed: %(allowed)s.") % {
            "method": request.method,
            "path": request.path,
            "allowed": response.get("Allow", ""),
        }
    if status >= 500:
        return _("The server failed to answer this request; the error is logged under request id %(id)s.") % {
            "id": getattr(request, "request_id", "-")
        }
    return response.reason_phrase


class ApiErrorsMiddleware:
    """Near the top of MIDDLEWARE, so it sees the responses Django made of exceptions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            json = JsonResponse({"detail": _detail(request, response)}, status=response.status_code)
            for header in ("Allow", "X-Request-ID", "Retry-After"):
                if header in response:
                    json[header] = response[header]
            # Django logged the error (a 500 with its traceback) when it made the HTML response and
            # marked it so; without the mark it would log the same request again, traceback-less.
            if getattr(response, "_has_been_logged", False):
                json._has_been_logged = True
            return json
        return response

    def process_exception(self, request, exception):
        """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 Content Too Large, not a bare 400."""
        if request.path.startswith(PREFIX) and isinstance(exception, RequestDataTooBig):
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            return JsonResponse(
                {"detail": _("The request body is larger than %(limit)s.") % {"limit": limit}}, status=413
            )
        return None
