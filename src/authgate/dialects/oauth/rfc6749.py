"""POST /oauth/token (RFC 6749 §3.2): password, refresh_token and client_credentials."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from authgate.core.facade import Core
from authgate.core.models import ClientInfo, Principal, TokenPair
from authgate.core.oauth import API_SCOPE, BEARER, SESSION_SCOPE, InvalidClient
from authgate.dialects.oauth.errors import NO_STORE, OAuthProblem, error_responses, render_error
from authgate.dialects.oauth.params import (
    ClientCredentials,
    client_credentials,
    form_body,
    read_form,
    require,
)
from authgate.dialects.oauth.schemas import TokenResponse
from authgate.http.context import ClientDep, CoreDep, IssuerDep
from authgate.http.openapi import client_basic
from authgate.http.routing import dialect_route

router = APIRouter(prefix="/oauth", tags=["oauth"], route_class=dialect_route(render_error))
Params = dict[str, str]
Creds = ClientCredentials | None
Grant = Callable[[Core, Params, Creds, ClientInfo, str], Awaitable[dict[str, object]]]


async def _client(
    core: Core, creds: ClientCredentials | None, info: ClientInfo
) -> Principal | None:
    """The authenticated client, or None for a public one (id only, or nothing)."""
    if creds is None or creds.client_secret is None:
        return None
    return await core.oauth.authenticate_client(creds.client_id, creds.client_secret, info)


def _pair(pair: TokenPair) -> dict[str, object]:
    return {
        "access_token": pair.access_token,
        "token_type": BEARER,
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token,
        "scope": SESSION_SCOPE,
    }


async def _password(
    core: Core,
    params: dict[str, str],
    creds: ClientCredentials | None,
    info: ClientInfo,
    issuer: str,
) -> dict[str, object]:
    username, password = require(params, "username"), require(params, "password")
    await _client(core, creds, info)  # a confidential client's secret must be right
    return _pair(await core.auth.login(username, password, info, issuer=issuer))


async def _refresh(
    core: Core,
    params: dict[str, str],
    creds: ClientCredentials | None,
    info: ClientInfo,
    issuer: str,
) -> dict[str, object]:
    token = require(params, "refresh_token")
    await _client(core, creds, info)
    return _pair(await core.auth.refresh(token, info, issuer=issuer))


async def _client_credentials(
    core: Core,
    params: dict[str, str],
    creds: ClientCredentials | None,
    info: ClientInfo,
    issuer: str,
) -> dict[str, object]:
    client = await _client(core, creds, info)
    if client is None:
        raise InvalidClient("client_credentials needs an API key id and secret")
    scope = params.get("scope")
    if scope and set(scope.split()) - {API_SCOPE}:
        raise OAuthProblem("invalid_scope", f"the only scope of this grant is {API_SCOPE!r}")
    issued = await core.oauth.issue_client_token(client, info, issuer=issuer)
    return {
        "access_token": issued.token,
        "token_type": BEARER,
        "expires_in": issued.claims.exp - issued.claims.iat,
        "scope": API_SCOPE,
    }


GRANTS: dict[str, Grant] = {
    "password": _password,
    "refresh_token": _refresh,
    "client_credentials": _client_credentials,
}


@router.post(
    "/token",
    summary="Token endpoint (RFC 6749)",
    response_class=JSONResponse,
    responses={
        200: {"model": TokenResponse, "description": "The tokens"},
        **error_responses(400, 401, 403, 413, 429, 503),
    },
    openapi_extra={
        **form_body(
            "grant_type",
            optional=(
                "username",
                "password",
                "refresh_token",
                "scope",
                "client_id",
                "client_secret",
            ),
        ),
        **client_basic(optional=True),
    },
)
async def token(
    request: Request, core: CoreDep, info: ClientDep, issuer: IssuerDep
) -> JSONResponse:
    params = await read_form(request)
    grant_type = require(params, "grant_type")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthProblem("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    creds = client_credentials(request, params)
    body = await grant(core, params, creds, info, issuer)
    return JSONResponse(body, headers=NO_STORE)
