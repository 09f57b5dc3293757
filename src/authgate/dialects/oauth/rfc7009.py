"""POST /oauth/revoke (RFC 7009): ends the session of an access or refresh token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from authgate.dialects.oauth.errors import NO_STORE, error_responses, render_error
from authgate.dialects.oauth.params import client_credentials, form_body, read_form, require
from authgate.http.context import ClientDep, CoreDep, IssuerDep
from authgate.http.openapi import client_basic
from authgate.http.routing import dialect_route

router = APIRouter(prefix="/oauth", tags=["oauth"], route_class=dialect_route(render_error))


@router.post(
    "/revoke",
    summary="Revoke a token and end its session (RFC 7009)",
    response_class=Response,
    responses={
        200: {"description": "Revoked, or not a token of ours (RFC 7009 §2.2): no body"},
        **error_responses(400, 401, 403, 413, 429, 503),
    },
    openapi_extra={
        **form_body("token", optional=("token_type_hint", "client_id", "client_secret")),
        **client_basic(optional=True),
    },
)
async def revoke(request: Request, core: CoreDep, issuer: IssuerDep, client: ClientDep) -> Response:
    params = await read_form(request)
    token = require(params, "token")
    creds = client_credentials(request, params)
    if creds is not None and creds.client_secret is not None:
        # A public client sends no secret (API.md §6); a confidential one must send a right one.
        await core.oauth.authenticate_client(creds.client_id, creds.client_secret, client)
    # The hint is only a hint (§2.1): the token's form tells access from refresh.
    await core.oauth.revoke(token, issuer=issuer)
    return Response(status_code=200, headers=NO_STORE)
