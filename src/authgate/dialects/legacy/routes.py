"""/user/login, /user/password and /authheader/*: seed 002 over the core.

The auth headers are the core's API keys: one made here is listed by
/api/v1/auth/keys and the other way round. The Authorization header carries the
JWT from /user/login bare, as the seed shows it, or after `Bearer`.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from authgate.core.models import ApiKey, Principal
from authgate.dialects.legacy import schemas as s
from authgate.dialects.legacy.errors import render_error
from authgate.http.context import ClientDep, CoreDep, IssuerDep, principal_dependency
from authgate.http.openapi import error_responses
from authgate.http.routing import dialect_route

PREFIXES = ("/user", "/authheader")
Caller = Annotated[Principal, Depends(principal_dependency(allow_bare=True))]


_errors = partial(
    error_responses,
    s.MessageResponse,
    descriptions={
        401: "Incorrect credentials, or a missing or invalid Authorization header",
        403: "Password expired, or an auth header used where a password login is needed",
        404: "Auth header not found",
    },
)


router = APIRouter(tags=["legacy"], route_class=dialect_route(render_error))


@router.post("/user/login", responses=_errors(400, 401, 403, 413, 429, 503))
async def login(
    body: s.LoginRequest, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> s.LoginResponse:
    pair = await core.auth.login(body.username, body.password, client, issuer=issuer)
    user = pair.user
    return s.LoginResponse(
        Id=user.id,
        Created=user.created_at,
        Username=user.username,
        Email=user.email,
        Firstname=user.first_name,
        Lastname=user.last_name,
        Token=pair.access_token,
        PasswordExpiration=user.password_expires_at,
    )


@router.post("/user/password", responses=_errors(400, 401, 413, 429, 503))
async def change_password(
    body: s.PasswordChangeRequest, core: CoreDep, client: ClientDep
) -> s.MessageResponse:
    await core.accounts.change_password(body.username, body.password, body.newPassword, client)
    return s.MessageResponse(message="Success")


@router.post("/authheader/add", responses=_errors(400, 401, 403, 413, 503))
async def add_auth_header(
    body: s.AuthHeaderCreateRequest, caller: Caller, core: CoreDep
) -> s.AuthHeader:
    created = await core.keys.create(caller, body.name)
    return _auth_header(created.key, created.secret)


@router.get("/authheader/list", responses=_errors(401, 403, 503))
async def list_auth_headers(caller: Caller, core: CoreDep) -> list[s.AuthHeader]:
    return [_auth_header(key, core.keys.mask(key)) for key in await core.keys.list(caller)]


@router.post("/authheader/delete", responses=_errors(400, 401, 403, 404, 413, 503))
async def delete_auth_header(
    body: s.AuthHeaderDeleteRequest, caller: Caller, core: CoreDep
) -> s.MessageResponse:
    await core.keys.delete(caller, body.text.strip())
    return s.MessageResponse(message="Success")


def _auth_header(key: ApiKey, token: str) -> s.AuthHeader:
    return s.AuthHeader(id=key.id, name=key.name, token=token, created=key.created_at)
