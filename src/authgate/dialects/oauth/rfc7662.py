"""POST /oauth/introspect (RFC 7662), for resource servers holding an API key."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse

from authgate.core.errors import InvalidToken
from authgate.core.oauth import InvalidClient
from authgate.dialects.oauth.errors import NO_STORE, error_responses, render_error
from authgate.dialects.oauth.params import client_credentials, form_body, read_form, require
from authgate.dialects.oauth.schemas import Introspection
from authgate.http.bearer import credential_from
from authgate.http.context import ClientDep, CoreDep, IssuerDep
from authgate.http.openapi import client_basic, credential_schemes
from authgate.http.routing import dialect_route

if TYPE_CHECKING:
    from authgate.core.facade import Core
    from authgate.core.models import ClientInfo, Principal

router = APIRouter(prefix="/oauth", tags=["oauth"], route_class=dialect_route(render_error))


async def _caller(
    request: Request, core: Core, params: dict[str, str], client: ClientInfo
) -> Principal:
    """The API key calling: `Bearer <key>` or Basic key id:secret (API.md §6)."""
    scheme = request.headers.get("authorization", "").partition(" ")[0].lower()
    if scheme == "bearer" or "x-api-key" in request.headers:
        secret = credential_from(request)
        if not core.keys.is_api_key(secret):
            raise InvalidClient("introspection needs an API key")
        try:
            return await core.keys.authenticate(secret)
        except InvalidToken as e:
            raise InvalidClient from e
    creds = client_credentials(request, params)
    if creds is None or creds.client_secret is None:
        raise InvalidClient("introspection needs an API key")
    return await core.oauth.authenticate_client(creds.client_id, creds.client_secret, client)


@router.post(
    "/introspect",
    summary="Token introspection (RFC 7662)",
    response_class=JSONResponse,
    responses={
        200: {"model": Introspection, "description": "What the token is, if active"},
        **error_responses(400, 401, 403, 413, 429, 503),
    },
    dependencies=[Depends(credential_schemes())],
    openapi_extra={
        **form_body("token", optional=("token_type_hint",)),
        **client_basic(optional=False),
    },
)
async def introspect(
    request: Request, core: CoreDep, issuer: IssuerDep, client: ClientDep
) -> JSONResponse:
    params = await read_form(request)
    caller = await _caller(request, core, params, client)
    result = await core.oauth.introspect(caller, require(params, "token"), issuer=issuer)
    body = {name: value for name, value in asdict(result).items() if value is not None}
    return JSONResponse(body, headers=NO_STORE)
