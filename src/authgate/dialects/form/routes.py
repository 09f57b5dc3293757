"""/auth: seed 003's form login, plus refresh, logout, me and password.

Login, refresh and password take `application/x-www-form-urlencoded` (what the
seed's curl -d and OAuth2PasswordRequestForm clients send) or JSON.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Security
from fastapi.security import OAuth2PasswordBearer

from authgate.core.models import Principal, TokenPair
from authgate.dialects.form import schemas as s
from authgate.dialects.form.body import form_or_json, openapi_body
from authgate.dialects.form.errors import render_error
from authgate.http.context import ClientDep, CoreDep, IssuerDep, principal_dependency
from authgate.http.openapi import error_responses
from authgate.http.routing import dialect_route

PREFIX = "/auth"
# Declares the OAuth2 password flow in OpenAPI, so /docs can log in; the caller is
# authenticated by principal_dependency, which reads the same header.
_scheme = OAuth2PasswordBearer(tokenUrl=f"{PREFIX}/login", auto_error=False)
Caller = Annotated[Principal, Depends(principal_dependency())]
_SECURED = [Security(_scheme)]
Login = Annotated[s.LoginForm, Depends(form_or_json(s.LoginForm))]
Refresh = Annotated[s.RefreshForm, Depends(form_or_json(s.RefreshForm))]
PasswordChange = Annotated[s.PasswordForm, Depends(form_or_json(s.PasswordForm))]


_errors = partial(
    error_responses,
    s.ErrorResponse,
    descriptions={
        400: "A rule was broken (password policy) or the body could not be parsed",
        401: "Incorrect username or password, or a missing or invalid token",
        403: "Password expired, or an API key where a password login is needed",
        415: "Neither a form nor JSON",
        422: "Invalid fields, as FastAPI reports them (without the rejected input)",
    },
)


router = APIRouter(prefix=PREFIX, tags=["form"], route_class=dialect_route(render_error))


@router.post(
    "/login",
    responses=_errors(400, 401, 403, 413, 415, 422, 429, 503),
    openapi_extra=openapi_body(s.LoginForm),
)
async def login(
    form: Login, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> s.TokenResponse:
    pair = await core.auth.login(form.username, form.password, client, issuer=issuer)
    return _tokens(pair)


@router.post(
    "/refresh",
    responses=_errors(400, 401, 413, 415, 422, 429, 503),
    openapi_extra=openapi_body(s.RefreshForm),
)
async def refresh(
    form: Refresh, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> s.TokenResponse:
    return _tokens(await core.auth.refresh(form.refresh_token, client, issuer=issuer))


@router.post("/logout", responses=_errors(401, 403, 503), dependencies=_SECURED)
async def logout(caller: Caller, core: CoreDep) -> s.MessageResponse:
    await core.auth.logout(caller)
    return s.MessageResponse(message="Successfully logged out")


@router.get("/me", responses=_errors(401, 503), dependencies=_SECURED)
async def me(caller: Caller) -> s.UserResponse:
    user = caller.user
    return s.UserResponse(
        id=user.id,
        username=user.username,
        email=user.email,
        full_name=user.name,
        first_name=user.first_name,
        last_name=user.last_name,
        avatar=user.avatar,
        is_admin=user.is_admin,
        disabled=user.disabled,
        created_at=user.created_at,
        updated_at=user.updated_at,
        password_expires_at=user.password_expires_at,
    )


@router.post(
    "/password",
    responses=_errors(400, 401, 413, 415, 422, 429, 503),
    openapi_extra=openapi_body(s.PasswordForm),
)
async def change_password(
    form: PasswordChange, core: CoreDep, client: ClientDep
) -> s.MessageResponse:
    await core.accounts.change_password(form.username, form.password, form.new_password, client)
    return s.MessageResponse(message="Password changed")


def _tokens(pair: TokenPair) -> s.TokenResponse:
    return s.TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )
