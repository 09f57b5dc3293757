"""/api/v1/auth: seed 001, plus me, password, sessions and logout-all."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from authgate.core.models import Principal
from authgate.dialects.v1 import schemas as s
from authgate.dialects.v1.errors import render_error
from authgate.http.context import ClientDep, CoreDep, IssuerDep, principal_dependency
from authgate.http.openapi import error_responses
from authgate.http.routing import dialect_route

PREFIX = "/api/v1/auth"
Caller = Annotated[Principal, Depends(principal_dependency())]


_errors = partial(
    error_responses,
    s.ErrorResponse,
    descriptions={
        403: "Forbidden (password expired, or an API key where a password login is needed)",
    },
)


router = APIRouter(prefix=PREFIX, tags=["v1"], route_class=dialect_route(render_error))


@router.post("/login", responses=_errors(400, 401, 403, 413, 429, 503))
async def login(
    body: s.LoginRequest, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> s.LoginResponse:
    pair = await core.auth.login(body.username, body.password, client, issuer=issuer)
    user = pair.user
    return s.LoginResponse(
        token=pair.access_token,
        expires_in=pair.expires_in,
        refreshToken=pair.refresh_token,
        user=s.LoginUser(id=user.id, username=user.username, email=user.email),
    )


@router.post("/refresh", responses=_errors(400, 401, 413, 429, 503))
async def refresh(
    body: s.RefreshRequest, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> s.RefreshResponse:
    pair = await core.auth.refresh(body.refreshToken, client, issuer=issuer)
    return s.RefreshResponse(
        token=pair.access_token, expires_in=pair.expires_in, refreshToken=pair.refresh_token
    )


@router.post("/logout", responses=_errors(401, 403, 503))
async def logout(caller: Caller, core: CoreDep) -> s.MessageResponse:
    await core.auth.logout(caller)
    return s.MessageResponse(message="Successfully logged out")


@router.post("/logout-all", responses=_errors(401, 403, 503))
async def logout_all(caller: Caller, core: CoreDep) -> s.LogoutAllResponse:
    ended = await core.auth.logout_all(caller)
    return s.LogoutAllResponse(message="Successfully logged out everywhere", sessionsEnded=ended)


@router.get("/me", responses=_errors(401, 503))
async def me(caller: Caller) -> s.MeResponse:
    user = caller.user
    return s.MeResponse(
        id=user.id,
        username=user.username,
        email=user.email,
        name=user.name,
        firstName=user.first_name,
        lastName=user.last_name,
        avatar=user.avatar,
        isAdmin=user.is_admin,
        createdAt=user.created_at,
        updatedAt=user.updated_at,
        passwordExpiresAt=user.password_expires_at,
    )


@router.post("/password", responses=_errors(400, 401, 413, 429, 503))
async def change_password(
    body: s.PasswordChangeRequest, core: CoreDep, client: ClientDep
) -> s.MessageResponse:
    await core.accounts.change_password(body.username, body.password, body.newPassword, client)
    return s.MessageResponse(message="Password changed")


@router.get("/sessions", responses=_errors(401, 403, 503))
async def list_sessions(caller: Caller, core: CoreDep) -> list[s.SessionListed]:
    return [
        s.SessionListed(
            id=session.id,
            createdAt=session.created_at,
            lastUsedAt=session.last_used_at,
            expiresAt=session.expires_at,
            ip=session.client_ip,
            userAgent=session.user_agent,
            current=session.id == caller.session_id,
        )
        for session in await core.auth.list_sessions(caller)
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(400, 401, 403, 404, 503),
)
async def revoke_session(session_id: str, caller: Caller, core: CoreDep) -> Response:
    await core.auth.revoke_session(caller, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/keys", status_code=status.HTTP_201_CREATED, responses=_errors(400, 401, 403, 413, 503)
)
async def create_key(body: s.KeyCreateRequest, caller: Caller, core: CoreDep) -> s.KeyCreated:
    created = await core.keys.create(caller, body.name)
    return s.KeyCreated(
        keyId=created.key.id,
        apiKey=created.secret,
        name=created.key.name,
        createdAt=created.key.created_at,
    )


@router.get("/keys", responses=_errors(401, 403, 503))
async def list_keys(caller: Caller, core: CoreDep) -> list[s.KeyListed]:
    return [
        s.KeyListed(keyId=k.id, name=k.name, createdAt=k.created_at, lastUsed=k.last_used_at)
        for k in await core.keys.list(caller)
    ]


@router.delete(
    "/keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(400, 401, 403, 404, 503),
)
async def delete_key(key_id: str, caller: Caller, core: CoreDep) -> Response:
    await core.keys.delete(caller, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
