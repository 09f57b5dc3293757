"""Feathers errors: `{"name","message","code","className","errors"}`, as @feathersjs/errors.

Messages are the ones Feathers 5 itself sends (read from @feathersjs/authentication,
authentication-local and adapter-commons; docs/dialects/feathers.md lists them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from authgate.core import errors as e
from authgate.http.errors import (
    BodyTooLarge,
    ErrorTable,
    MalformedBody,
    describe_validation,
    lookup,
    retry_headers,
)

if TYPE_CHECKING:
    from starlette.requests import Request

    from authgate.http.routing import RouteError


class Refused(e.NotAuthenticated):
    """A NotAuthenticated whose message is Feathers' own, sent as is."""


# status -> (name, className), from @feathersjs/errors.
CLASSES = {
    400: ("BadRequest", "bad-request"),
    401: ("NotAuthenticated", "not-authenticated"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "not-found"),
    405: ("MethodNotAllowed", "method-not-allowed"),
    409: ("Conflict", "conflict"),
    413: ("PayloadTooLarge", "payload-too-large"),
    422: ("Unprocessable", "unprocessable"),
    429: ("TooManyRequests", "too-many-requests"),
    500: ("GeneralError", "general-error"),
    503: ("Unavailable", "unavailable"),
}

ERRORS: ErrorTable = {
    e.InvalidRequest: (400, None),
    e.NotAuthenticated: (401, "Not authenticated"),
    Refused: (401, None),
    e.InvalidCredentials: (401, "Invalid login"),
    e.InvalidRefreshToken: (401, "Invalid login"),
    e.PasswordExpired: (403, "Password expired"),
    e.PermissionDenied: (403, None),
    e.NotFound: (404, None),
    e.Conflict: (409, None),
    e.Throttled: (429, None),
    e.BackendUnavailable: (503, "Service temporarily unavailable"),
    e.Overloaded: (503, None),
}

# What jsonwebtoken (and so Feathers) says for each way a token fails.
JWT_MALFORMED = "jwt malformed"
_TOKEN_MESSAGES = {
    "jwt expired": "jwt expired",
    "Signature verification failed": "invalid signature",
    "jwt issuer invalid": "jwt issuer invalid",
    "Audience doesn't match": "jwt audience invalid",
    "Invalid audience": "jwt audience invalid",
    "session ended": "jwt revoked",
    "user not active": "jwt revoked",
    JWT_MALFORMED: JWT_MALFORMED,
}
_CONFLICT_FIELDS = {e.UsernameTaken: "username", e.EmailTaken: "email"}
# Core field names that Feathers bodies spell differently.
_FIELD_NAMES = {"newPassword": "password", "first_name": "firstName", "last_name": "lastName"}


def feathers_error(
    status: int,
    message: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    name, class_name = CLASSES.get(status, CLASSES[500])
    body: dict[str, Any] = {
        "name": name,
        "message": message,
        "code": status,
        "className": class_name,
        "errors": errors or {},
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _auth_error(error: e.AuthError) -> tuple[int, str, dict[str, str]]:
    status, message = lookup(ERRORS, error)
    fields: dict[str, str] = {}
    if isinstance(error, e.InvalidToken):
        message = _TOKEN_MESSAGES.get(error.detail, "invalid token")
    elif isinstance(error, e.InvalidRequest) and error.field:
        fields[_FIELD_NAMES.get(error.field, error.field)] = error.detail
    elif isinstance(error, e.Conflict):
        field = next((f for cls, f in _CONFLICT_FIELDS.items() if isinstance(error, cls)), None)
        if field is not None:
            fields[field] = error.detail
    return status, message, fields


def render_error(error: RouteError, request: Request) -> Response:
    headers = retry_headers(error)
    fields: dict[str, str] = {}
    if isinstance(error, e.AuthError):
        status, message, fields = _auth_error(error)
    elif isinstance(error, RequestValidationError):
        message, described = describe_validation(error)
        status, fields = 400, {_FIELD_NAMES.get(k, k): v for k, v in described.items()}
    elif isinstance(error, BodyTooLarge):
        status, message = 413, "Request body too large"
    elif isinstance(error, MalformedBody):
        status, message = 400, "Invalid JSON body"
    elif isinstance(error, HTTPException):
        status, message = _http_error(error, request)
    else:  # pragma: no cover - RouteError is exhaustive
        status, message = 500, "Internal server error"
    return feathers_error(status, message, fields, headers)


def _http_error(error: HTTPException, request: Request) -> tuple[int, str]:
    if error.status_code == 404:
        return 404, f"Path {request.url.path} not found"
    if error.status_code == 405:
        method = _SERVICE_METHODS.get(request.method.upper(), request.method.lower())
        if request.method.upper() in ("GET", "HEAD"):
            # transport-commons: GET on the service is find, GET on /service/<id> is get.
            method = "find" if request.url.path.rstrip("/").count("/") == 1 else "get"
        return 405, f"Method `{method}` is not supported by this endpoint."
    if error.status_code >= 500:
        return 500, "Internal server error"
    return error.status_code, str(error.detail)


# How Feathers names the service method an HTTP method calls (transport-commons http.ts).
_SERVICE_METHODS = {"PUT": "update", "PATCH": "patch", "DELETE": "remove", "POST": "create"}
