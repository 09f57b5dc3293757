"""Errors of /api/v1/auth: `{"error": "..."}` with the status the seed gives."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
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
from authgate.http.routing import RouteError

ERRORS: ErrorTable = {
    e.InvalidRequest: (400, None),
    e.NotAuthenticated: (401, "Authentication required"),
    e.InvalidCredentials: (401, "Invalid credentials"),
    e.InvalidRefreshToken: (401, "Invalid or expired refresh token"),
    e.PasswordExpired: (403, "Password expired"),
    e.PermissionDenied: (403, None),
    e.NotFound: (404, None),
    e.Conflict: (409, None),
    e.Throttled: (429, None),
    e.BackendUnavailable: (503, None),
}


def render_error(error: RouteError, request: Request) -> Response:
    headers = retry_headers(error)
    if isinstance(error, e.AuthError):
        status, message = lookup(ERRORS, error)
    elif isinstance(error, RequestValidationError):
        status, message = 400, describe_validation(error)[0]
    elif isinstance(error, BodyTooLarge):
        status, message = 413, "Request body too large"
    elif isinstance(error, MalformedBody):
        status, message = 400, "Invalid request: malformed body"
    elif isinstance(error, HTTPException):
        status, message = error.status_code, str(error.detail)
    else:  # pragma: no cover - RouteError is exhaustive
        status, message = 500, "Internal server error"
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": message}, status_code=status, headers=headers)
