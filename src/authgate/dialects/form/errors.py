"""Errors of /auth: FastAPI's shapes, `{"detail": "..."}` and the 422 `{"detail": [...]}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from authgate.core import errors as e
from authgate.http.errors import BodyTooLarge, ErrorTable, MalformedBody, lookup, retry_headers

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.requests import Request

    from authgate.http.routing import RouteError

ERRORS: ErrorTable = {
    e.InvalidRequest: (400, None),
    # FastAPI's OAuth2PasswordBearer and its security tutorial use these two sentences.
    e.NotAuthenticated: (401, "Not authenticated"),
    e.InvalidToken: (401, "Could not validate credentials"),
    e.TokenExpired: (401, "Token expired"),
    e.InvalidCredentials: (401, "Incorrect username or password"),
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
    detail: object
    if isinstance(error, e.AuthError):
        status, detail = lookup(ERRORS, error)
    elif isinstance(error, RequestValidationError):
        status, detail = 422, [_problem(p) for p in error.errors()]
    elif isinstance(error, BodyTooLarge):
        status, detail = 413, "Request body too large"
    elif isinstance(error, MalformedBody):
        status, detail = 400, "There was an error parsing the body"
    elif isinstance(error, HTTPException):
        status, detail = error.status_code, str(error.detail)
    else:  # pragma: no cover - RouteError is exhaustive
        status, detail = 500, "Internal server error"
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    # FastAPI's item, less "input": echoing a rejected value would echo passwords.
    item: dict[str, Any] = {
        "type": problem.get("type", "value_error"),
        "loc": list(problem.get("loc", ())),
        "msg": problem.get("msg", "Invalid value"),
    }
    context = problem.get("ctx")
    if context:
        item["ctx"] = {
            key: value if isinstance(value, str | int | float | bool) else str(value)
            for key, value in context.items()
        }
    return item
