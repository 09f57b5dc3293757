"""Errors of the standard endpoints: RFC 6749 §5.2 bodies, `Cache-Control: no-store`.

`invalid_client` is always 401 with a `WWW-Authenticate` challenge in the scheme the
client tried (RFC 6749 §5.2), Basic when it sent none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from authgate.core import errors as e
from authgate.core.oauth import InvalidClient
from authgate.dialects.oauth.schemas import OAuthError
from authgate.http.errors import BodyTooLarge, ErrorTable, MalformedBody, lookup, retry_headers
from authgate.http.openapi import Responses
from authgate.http.openapi import error_responses as shared_error_responses

if TYPE_CHECKING:
    from starlette.requests import Request

    from authgate.http.routing import RouteError

REALM = 'realm="authgate"'
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthProblem(e.InvalidRequest):
    """A protocol error with its own RFC code (unsupported_grant_type, invalid_scope)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error


ERRORS: ErrorTable = {
    e.InvalidRequest: (400, "invalid_request"),
    e.NotAuthenticated: (401, "invalid_client"),
    InvalidClient: (401, "invalid_client"),
    # RFC 6749 §5.2: the grant (password, refresh token) is invalid, expired or revoked.
    e.InvalidCredentials: (400, "invalid_grant"),
    e.InvalidRefreshToken: (400, "invalid_grant"),
    e.PasswordExpired: (400, "invalid_grant"),
    e.PermissionDenied: (403, "access_denied"),
    e.NotFound: (400, "invalid_request"),
    e.Conflict: (400, "invalid_request"),
    e.Throttled: (429, "temporarily_unavailable"),
    e.BackendUnavailable: (503, "temporarily_unavailable"),
}


def error_responses(*codes: int) -> Responses:
    """`responses=` for a standard endpoint: the codes, in RFC 6749 §5.2's shape."""
    return shared_error_responses(
        OAuthError,
        *codes,
        descriptions={
            400: "invalid_request, invalid_grant, unsupported_grant_type or invalid_scope",
            401: "invalid_client, with a WWW-Authenticate challenge",
            403: "access_denied",
            429: "temporarily_unavailable: too many attempts; see Retry-After",
            503: "temporarily_unavailable: storage unavailable",
        },
    )


def oauth_error(status: int, error: str, description: str, headers: dict[str, str]) -> Response:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={**headers, **NO_STORE})


def _challenge(request: Request) -> str:
    scheme = request.headers.get("authorization", "").partition(" ")[0].lower()
    if scheme == "bearer":
        return f'Bearer {REALM}, error="invalid_token"'
    return f"Basic {REALM}"


def render_error(error: RouteError, request: Request) -> Response:
    headers = retry_headers(error)
    if isinstance(error, OAuthProblem):
        status, code, description = 400, error.error, error.detail
    elif isinstance(error, e.AuthError):
        status, code = lookup(ERRORS, error)
        description = error.detail
    elif isinstance(error, RequestValidationError):
        status, code, description = 400, "invalid_request", "Invalid request"
    elif isinstance(error, BodyTooLarge):
        status, code, description = 413, "invalid_request", "Request body too large"
    elif isinstance(error, MalformedBody):
        status, code, description = 400, "invalid_request", "Malformed request body"
    elif isinstance(error, HTTPException):
        status, code, description = error.status_code, "invalid_request", str(error.detail)
    else:  # pragma: no cover - RouteError is exhaustive
        status, code, description = 500, "server_error", "Internal server error"
    if status == 401:
        headers["WWW-Authenticate"] = _challenge(request)
    return oauth_error(status, code, description, headers)
