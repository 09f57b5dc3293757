"""Reading credentials from request headers, as RFC 6750 and the seeds send them."""

from __future__ import annotations

from starlette.requests import Request

from authgate.core.errors import NotAuthenticated

MAX_CREDENTIAL_LENGTH = 8192


def credential_from(request: Request, *, allow_bare: bool = False) -> str:
    """The token or API key the caller presents.

    `Authorization: Bearer <t>` (scheme in any case), or `X-API-Key: <k>`; with
    allow_bare, also `Authorization: <t>` with no scheme (seed 002 sends that).

    Raises:
        NotAuthenticated: nothing usable was sent, or two different credentials were.
    """
    authorizations = request.headers.getlist("authorization")
    api_keys = request.headers.getlist("x-api-key")
    if len(authorizations) + len(api_keys) > 1:
        raise NotAuthenticated("Send exactly one credential")
    if api_keys:
        return _checked(api_keys[0].strip())
    if not authorizations:
        raise NotAuthenticated
    value = authorizations[0].strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        return _checked(rest.strip())
    if allow_bare and " " not in value:
        return _checked(value)
    raise NotAuthenticated


def _checked(token: str) -> str:
    if not token or len(token) > MAX_CREDENTIAL_LENGTH or any(c.isspace() for c in token):
        raise NotAuthenticated
    return token
