"""Every error the API returns is JSON with a `detail`; input errors name the field at fault.

    400, 401, 403, 404, 409   {"detail": "message"}   (400: the body is not JSON at all)
    422                       {"detail": [{"field": "government_b_id", "message": "..."}, ...]}

`field` is the name the client sent (a body property, query or path parameter), dotted for
nested values ("fields.1" is the second entry of `fields`), or null for an error about the
request as a whole. Django's ValidationError from the services and ninja's own request
validation come out in the same shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from kembar.core.versioning import ConcurrentEdit


class Error(Schema):
    detail: str


class FieldError(Schema):
    field: str | None
    message: str


class ValidationErrors(Schema):
    detail: list[FieldError]


# Every operation with an id in its path: an id that is not an integer is a 422 naming it.
ERRORS = {401: Error, 403: Error, 404: Error, 422: ValidationErrors}
WRITE_ERRORS = {400: Error, **ERRORS, 422: ValidationErrors}


# A change of a versioned record (a PATCH, a POST action) without the `version` the client read
# (kembar.core.versioning).
MISSING_VERSION = gettext_lazy(
    "Send the version you read with every change, so that a change someone else saved in "
    "between is refused instead of overwritten."
)


def field_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def request_field_errors(exc: RequestValidationError) -> list[dict]:
    """ninja's errors carry a location such as ("body", "payload", "kind"); keep the client's part.

    The first element is where the value came from (body, query, path); for a body, the
    second is the Python name of the view's schema argument, which the client never saw.
    """
    out = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        source, rest = (loc[0], loc[1:]) if loc else (None, [])
        if source == "body" and rest and rest[0] == "payload":
            rest = rest[1:]
        field = ".".join(str(part) for part in rest) or None
        message = error.get("msg") or _("Invalid value.")
        if error.get("type") == "missing" and source == "body" and field == "version":
            message = str(MISSING_VERSION)
        if error.get("type") == "json_invalid" or (source == "body" and field is None):
            message = _("The request body must be a JSON object: %(reason)s") % {"reason": message}
        out.append({"field": field, "message": message})
    return out


@contextmanager
def renamed_fields(names: dict[str, str]) -> Iterator[None]:
    """Report service errors under the request's names (government_b -> government_b_id)."""
    try:
        yield
    except ConcurrentEdit:
        raise
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): messages for field, messages in exc.error_dict.items()}
        ) from exc


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, data: dict, status: int) -> HttpResponse:
        return api.create_response(request, data, status=status)

    @api.exception_handler(RequestValidationError)
    def request_invalid(request, exc):
        return respond(request, {"detail": request_field_errors(exc)}, 422)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return respond(request, {"detail": field_errors(exc)}, 422)

    @api.exception_handler(OverflowError)
    def too_large(request, exc):  # an id in the path beyond the database's integers
        return respond(request, {"detail": _("Not found.")}, 404)

    @api.exception_handler(ConcurrentEdit)
    def conflict(request, exc):
        return respond(request, {"detail": " ".join(exc.messages)}, 409)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, {"detail": str(exc) or _("You may not do this.")}, 403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        message = exc.message
        if message == AuthenticationError().message:  # ninja's default: no credentials at all
            message = _("Authentication required: send “Authorization: Bearer <token>”.")
        response = respond(request, {"detail": message}, exc.status_code)
        response["WWW-Authenticate"] = 'Bearer realm="kembar"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return respond(request, {"detail": str(exc)}, exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, {"detail": str(exc) or _("Not found.")}, 404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return respond(request, {"detail": _("Not found.")}, 404)
