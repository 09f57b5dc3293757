"""Reading credentials from request headers, as RFC 6750 and the seeds send them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from authgate.core.errors import NotAuthenticated

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_CREDENTIAL_LENGTH = 8192


def credential_from(
    request: Request,
    *,
    allow_bare: bool = False,
    is_api_key: Callable[[str], bool] | None = None,
) -> str:
    """The token or API key the caller presents.

    `Authorization: Bearer <t>` (scheme in any case), or `X-API-Key: <k>`; with
    allow_bare, also `Authorization: <t>` with no scheme (seed 002 sends that).
    With is_api_key, `X-API-Key` must carry an API key: an access token is not one.

    Raises:
        NotAuthenticated: nothing usable was sent, two credentials were, or X-API-Key
            carried something other than an API key.
    """
    authorizations = request.headers.getlist("authorization")
    api_keys = request.headers.getlist("x-api-key")
    if len(authorizations) + len(api_keys) > 1:
        raise NotAuthenticated("Send exactly one credential")
    if api_keys:
        key = _checked(api_keys[0].strip())
        if is_api_key is not None and not is_api_key(key):
            raise NotAuthenticated("X-API-Key takes an API key, not a token")
        return key
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
