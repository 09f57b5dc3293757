"""Errors of seed 002: `{"message": "..."}` with the status the seed gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response

from authgate.core import errors as e
from authgate.http.errors import (
    ErrorTable,
    flat_error,
)

if TYPE_CHECKING:
    from starlette.requests import Request

    from authgate.http.routing import RouteError

ERRORS: ErrorTable = {
    e.InvalidRequest: (400, None),
    e.NotAuthenticated: (401, "Authentication required"),
    e.TokenExpired: (401, "Token expired"),
    e.InvalidCredentials: (401, "Incorrect credentials"),
    e.PasswordExpired: (403, "Password expired"),
    e.PermissionDenied: (403, None),
    e.NotFound: (404, None),
    e.ApiKeyNotFound: (404, "Auth header not found"),
    e.Conflict: (409, None),
    e.Throttled: (429, None),
    e.BackendUnavailable: (503, None),
}


def render_error(error: RouteError, request: Request) -> Response:
    status, message, headers = flat_error(ERRORS, error)
    return JSONResponse({"message": message}, status_code=status, headers=headers)
