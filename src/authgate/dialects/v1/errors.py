"""Errors of /api/v1/auth: `{"error": "..."}` with the status the seed gives."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authgate.core import errors as e
from authgate.http.errors import (
    ErrorTable,
    flat_error,
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
    status, message, headers = flat_error(ERRORS, error)
    return JSONResponse({"error": message}, status_code=status, headers=headers)
