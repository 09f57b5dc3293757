"""/authentication and /users as Feathers 5 services over REST (seed 000, API.md §2)."""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from authgate.core.accounts import NewUser
from authgate.core.directory import PasswordChange
from authgate.core.errors import (
    InvalidCredentials,
    InvalidRequest,
    InvalidToken,
    UserNotFound,
)
from authgate.core.facade import Core
from authgate.core.models import Principal, TokenPair, UserChanges
from authgate.core.queries import FILTERABLE
from authgate.dialects.feathers import schemas as s
from authgate.dialects.feathers.errors import JWT_MALFORMED, Refused, render_error
from authgate.dialects.feathers.query import FIELDS, SELECTABLE, parse_find
from authgate.http.bearer import credential_from
from authgate.http.context import ClientDep, CoreDep, HttpDep, IssuerDep
from authgate.http.errors import MalformedBody
from authgate.http.openapi import credential_schemes, error_responses
from authgate.http.routing import dialect_route

AUTH_PATH = "/authentication"
USERS_PATH = "/users"
STRATEGIES = ("jwt", "local")
_FILTERS = [name for name, field in FIELDS.items() if field in FILTERABLE and name != "id"]
Json = dict[str, Any]

router = APIRouter(tags=["feathers"], route_class=dialect_route(render_error))
_errors = partial(
    error_responses,
    s.FeathersError,
    descriptions={
        400: "BadRequest: malformed JSON, a bad query or an invalid field",
        401: "NotAuthenticated: no token, a bad one, or a wrong email or password",
        403: "Forbidden: password expired, not an admin, or registration closed",
        404: "NotFound: no such user",
        409: "Conflict: the username or email is taken",
        413: "PayloadTooLarge",
        429: "TooManyRequests; see Retry-After",
        503: "Unavailable",
    },
)


_TOKEN = [Depends(credential_schemes(allow_bare=True))]


def _answers(
    status_code: int, model: type[BaseModel], *errors: int, secured: bool = True
) -> dict[str, Any]:
    """Route options: the JSON these handlers build by hand, described by a model, and
    the token header declared (JWTStrategy reads `Bearer t`, `JWT t` or a bare `t`)."""
    success = {status_code: {"model": model, "description": "Successful Response"}}
    return {
        "status_code": status_code,
        "response_model": None,
        "responses": {**success, **_errors(*errors)},
        "dependencies": _TOKEN if secured else [],
    }


# The query is parsed by hand (qs brackets, query.py); this documents what it takes.
_SELECT = {
    "name": "$select[]",
    "in": "query",
    "description": "Fields to return (id always comes)",
    "schema": {"type": "array", "items": {"type": "string", "enum": list(SELECTABLE)}},
}
_FIND_QUERY = {
    "parameters": [
        {"name": "$limit", "in": "query", "schema": {"type": "integer"}},
        {"name": "$skip", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {
            "name": "$sort",
            "in": "query",
            "style": "deepObject",
            "explode": True,
            "schema": {
                "type": "object",
                "properties": {f: {"type": "integer", "enum": [1, -1]} for f in SELECTABLE},
                "additionalProperties": False,
            },
        },
        _SELECT,
        *({"name": f, "in": "query", "schema": {"type": "string"}} for f in _FILTERS),
        *(
            {
                "name": f"id[{op}][]",
                "in": "query",
                "schema": {"type": "array", "items": {"type": "string"}},
            }
            for op in ("$in", "$nin")
        ),
    ]
}


# The body is read by hand (a Feathers client may send anything); this documents it.
_AUTH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": s.AuthenticationRequest.model_json_schema()}},
    }
}


def bearer_token(request: Request, core: Core) -> str:
    """The token as Feathers' JWTStrategy.parse reads it: `Bearer t`, `JWT t` or bare `t`.

    Raises:
        NotAuthenticated: no usable Authorization (or X-API-Key) header.
    """
    value = request.headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    if (
        scheme.lower() == "jwt"
        and rest.strip()
        and len(request.headers.getlist("authorization")) == 1
    ):
        return rest.strip()
    return credential_from(request, allow_bare=True, is_api_key=core.keys.is_api_key)


async def caller(request: Request, core: CoreDep, issuer: IssuerDep) -> Principal:
    principal = await core.authenticate(bearer_token(request, core), issuer=issuer)
    request.state.user_id = principal.user.id
    return principal


async def optional_caller(request: Request, core: CoreDep, issuer: IssuerDep) -> Principal | None:
    if not request.headers.get("authorization") and not request.headers.get("x-api-key"):
        return None
    return await caller(request, core, issuer)


Caller = Annotated[Principal, Depends(caller)]
OptionalCaller = Annotated[Principal | None, Depends(optional_caller)]


async def _json_object(request: Request) -> Json:
    raw = await request.body()
    if not raw.strip():
        return {}
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        # A text/plain POST needs no CORS preflight: parsing it as JSON would let any
        # web page log a browser in (login CSRF). Feathers' own parsers skip it too.
        raise InvalidRequest("Content-Type must be application/json")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as e:  # RecursionError: nested too deep to parse
        raise MalformedBody(str(e)) from e
    return value if isinstance(value, dict) else {}


async def _token_result(core: Core, token: str, issuer: str) -> tuple[Principal, Json]:
    """Authenticate an access token as Feathers' JWTStrategy.authenticate does."""
    if token.count(".") != 2:
        # jsonwebtoken's first check; PyJWT words the same failure differently.
        raise InvalidToken(JWT_MALFORMED)
    principal = await core.auth.authenticate_token(token, issuer=issuer)
    result = {
        "accessToken": token,
        "authentication": {
            "strategy": "jwt",
            "accessToken": token,
            "payload": _payload(core, token, issuer),
        },
        "user": s.user_json(principal.user),
    }
    return principal, result


def _payload(core: Core, token: str, issuer: str) -> Json:
    claims = dataclasses.asdict(core.ctx.codec.decode(token, issuer=issuer))
    return {name: value for name, value in claims.items() if value is not None}


def _login_result(core: Core, pair: TokenPair, issuer: str) -> Json:
    return {
        "accessToken": pair.access_token,
        "authentication": {
            "strategy": "local",
            "payload": _payload(core, pair.access_token, issuer),
        },
        "user": s.user_json(pair.user),
    }


@router.post(
    AUTH_PATH,
    **_answers(201, s.AuthenticationResult, 400, 401, 403, 413, 429, 503, secured=False),
    openapi_extra=_AUTH_BODY,
)
async def authenticate(
    request: Request, core: CoreDep, client: ClientDep, issuer: IssuerDep
) -> Json:
    """Feathers `authentication.create`: the local or the jwt strategy."""
    data = await _json_object(request)
    strategy = data.get("strategy")
    if not strategy:
        raise Refused("Invalid authentication information (no `strategy` set)")
    if strategy not in STRATEGIES:
        raise Refused("Invalid authentication information (strategy not allowed in authStrategies)")
    if strategy == "jwt":
        token = data.get("accessToken")
        if not token:
            raise Refused("No access token")
        if not isinstance(token, str):
            raise InvalidToken(JWT_MALFORMED)
        return (await _token_result(core, token, issuer))[1]
    email, password = data.get("email"), data.get("password")
    # LocalStrategy answers "Invalid login" for a missing email or password, before any lookup.
    if not email or not password or not isinstance(email, str) or not isinstance(password, str):
        raise InvalidCredentials
    pair = await core.auth.login(email, password, client, issuer=issuer)
    return _login_result(core, pair, issuer)


@router.delete(AUTH_PATH, **_answers(200, s.AuthenticationResult, 401, 503))
@router.delete(AUTH_PATH + "/{token_id}", **_answers(200, s.AuthenticationResult, 401, 503))
async def logout(
    request: Request, core: CoreDep, issuer: IssuerDep, token_id: str | None = None
) -> Json:
    """Feathers `authentication.remove`: unlike stock Feathers, the session really ends."""
    if not request.headers.get("authorization"):
        raise Refused("Invalid authentication information (no `strategy` set)")
    token = bearer_token(request, core)
    if token_id is not None and token_id != token:
        raise Refused("Invalid access token")
    principal, result = await _token_result(core, token, issuer)
    await core.auth.logout(principal)
    return result


@router.get(USERS_PATH, **_answers(200, s.UsersPage, 400, 401, 403, 503), openapi_extra=_FIND_QUERY)
async def find_users(request: Request, who: Caller, core: CoreDep) -> Json:
    find = parse_find(request.query_params.multi_items())
    page = await core.directory.find(who, find.query)
    return {
        "total": page.total,
        "limit": find.query.limit,
        "skip": find.query.offset,
        "data": [s.user_json(user, find.select) for user in page.users],
    }


def _not_found(user_id: str) -> UserNotFound:
    return UserNotFound(f"No record found for id '{user_id}'")


@router.get(
    USERS_PATH + "/{user_id}",
    **_answers(200, s.UserOut, 400, 401, 403, 404, 503),
    openapi_extra={"parameters": [_SELECT]},
)
async def get_user(user_id: str, request: Request, who: Caller, core: CoreDep) -> Json:
    select = parse_find(request.query_params.multi_items()).select
    try:
        return s.user_json(await core.directory.get(who, user_id), select)
    except UserNotFound as e:
        raise _not_found(user_id) from e


@router.post(USERS_PATH, **_answers(201, s.UserOut, 400, 401, 403, 409, 413, 429, 503))
async def create_user(
    body: s.UserCreate, who: OptionalCaller, core: CoreDep, http: HttpDep
) -> Json:
    new = NewUser(
        username=body.username,
        email=body.email,
        password=body.password,
        name=body.name,
        first_name=body.firstName,
        last_name=body.lastName,
        avatar=body.avatar,
        is_admin=body.isAdmin,
    )
    user = await core.directory.create(who, new, open_registration=http.allow_registration)
    return s.user_json(user)


@router.patch(
    USERS_PATH + "/{user_id}", **_answers(200, s.UserOut, 400, 401, 403, 404, 409, 413, 429, 503)
)
async def patch_user(
    user_id: str, body: s.UserPatch, who: Caller, core: CoreDep, client: ClientDep
) -> Json:
    changes = UserChanges(
        username=body.username,
        email=body.email,
        name=body.name,
        first_name=body.firstName,
        last_name=body.lastName,
        avatar=body.avatar,
        is_admin=body.isAdmin,
    )
    password = None
    if body.password is not None:
        password = PasswordChange(new=body.password, current=body.currentPassword)
    try:
        user = await core.directory.update(who, user_id, changes, password, client)
    except UserNotFound as e:
        raise _not_found(user_id) from e
    except InvalidCredentials as e:
        # A field error, not a 401: the caller's own token is fine, and a Feathers client
        # treats NotAuthenticated as "logged out".
        raise InvalidRequest("currentPassword is incorrect", field="currentPassword") from e
    return s.user_json(user)


@router.delete(USERS_PATH + "/{user_id}", **_answers(200, s.UserOut, 400, 401, 403, 404, 503))
async def remove_user(user_id: str, who: Caller, core: CoreDep) -> Json:
    try:
        return s.user_json(await core.directory.remove(who, user_id))
    except UserNotFound as e:
        raise _not_found(user_id) from e
