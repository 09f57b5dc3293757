"""/api/v1/auth: seed 001, plus me, password, sessions and logout-all."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from authgate.core.audit import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AuditCursor,
    AuditEventName,
    AuditQuery,
    Outcome,
)
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


@router.get(
    "/audit",
    responses=_errors(400, 401, 403, 503),
    description="The audit log, newest first; administrators only. See docs/audit.md.",
)
async def audit_log(
    caller: Caller,
    core: CoreDep,
    user_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")] = None,
    event: AuditEventName | None = None,
    outcome: Outcome | None = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; without an offset, UTC")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601; without an offset, UTC")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=200, description="nextCursor of the previous page")
    ] = None,
) -> s.AuditPage:
    page = await core.audit.search(
        caller,
        AuditQuery(
            user_id=user_id,
            event=event,
            outcome=outcome,
            since=since,
            until=until,
            limit=limit,
            after=AuditCursor.decode(cursor) if cursor is not None else None,
        ),
    )
    return s.AuditPage(
        events=[
            s.AuditEventListed(
                id=e.id or 0,
                occurredAt=e.occurred_at,
                event=e.event,
                outcome=e.outcome,
                userId=e.user_id,
                sessionId=e.session_id,
                ip=e.client_ip,
                userAgent=e.user_agent,
                detail=dict(e.detail),
            )
            for e in page.events
        ],
        nextCursor=page.next.encode() if page.next is not None else None,
    )
