"""The attack suite's harness: database snapshots, token forgery, and the dialect table.

Every attack asserts two things: the exact refusal in the dialect's own shape, and that
the database is byte-for-byte what it was before (`unchanged`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
from sqlalchemy import inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import (
    MadeUser,
    UserFactory,
    bearer,
    feathers_login,
    form_login,
    legacy_login,
    oauth_login,
    v1_create_key,
    v1_login,
)

# The HS256 secret tests/conftest.py configures; an attacker never has it, but forging
# with it proves each claim check on its own (a bad signature would hide the rest).
SECRET = "test-secret-" + "x" * 40

# Tables a refused request may legitimately change, and why. Everything else must be
# identical, row for row, after every attack.
IGNORED_TABLES: Mapping[str, str] = {
    # Login attempts are counted before the password is checked: that is the throttle.
    "throttle_counter": "failed logins are counted, by design",
    # The audit log (issue 6, another branch) records refusals, by design.
    "audit_event": "refusals are audited, by design",
}


# --- database snapshots -----------------------------------------------------------------


async def snapshot(engine: AsyncEngine) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table (ignored tables left out)."""
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        state: dict[str, tuple[int, str]] = {}
        for name in sorted(set(names) - IGNORED_TABLES.keys()):
            rows = (await conn.execute(select(text("*")).select_from(table(name)))).all()
            lines = sorted(repr(tuple(row)) for row in rows)
            state[name] = (len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest())
    return state


@asynccontextmanager
async def unchanged(engine: AsyncEngine) -> AsyncIterator[None]:
    """Assert that the block leaves every (not ignored) table exactly as it found it."""
    before = await snapshot(engine)
    yield
    after = await snapshot(engine)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert not changed, f"a refused request changed tables {changed}"


# --- token forgery ----------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def unb64json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def split(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, payload, _ = token.split(".")
    return unb64json(head), unb64json(payload)


def sign_hs256(
    header: Mapping[str, Any], claims: Mapping[str, Any], key: bytes, hash_name: str = "sha256"
) -> str:
    """HMAC by hand: PyJWT refuses empty, short and PEM keys, an attacker's code does not."""
    signing_input = f"{b64json(dict(header))}.{b64json(dict(claims))}"
    signature = hmac.new(key, signing_input.encode(), hash_name).digest()
    return f"{signing_input}.{b64(signature)}"


def resign(token: str, *, key: bytes = SECRET.encode(), **claims: Any) -> str:
    """The token with claims changed (None removes one), signed HS256 with key."""
    header, payload = split(token)
    payload = {**payload, **claims}
    return sign_hs256(header, {k: v for k, v in payload.items() if v is not None}, key)


def with_header(token: str, *, key: bytes = SECRET.encode(), **changes: Any) -> str:
    """The token with header fields changed (None removes one), signed HS256 with key."""
    header, payload = split(token)
    header = {k: v for k, v in {**header, **changes}.items() if v is not None}
    return sign_hs256(header, payload, key)


# --- the dialect table ------------------------------------------------------------------


class Why(Enum):
    """Why a token is refused; dialects word some reasons apart (Feathers most)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    INVALID = "invalid"
    SIGNATURE = "signature"
    EXPIRED = "expired"
    AUDIENCE = "audience"
    ISSUER = "issuer"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Refusal:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    def check(self, response: httpx.Response) -> None:
        assert (response.status_code, response.json()) == (self.status, self.body), response.text
        for name, value in self.headers.items():
            assert response.headers.get(name) == value, (name, response.headers)


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str | None


def feathers_refusal(status: int, message: str, errors: dict[str, str] | None = None) -> Refusal:
    from authgate.dialects.feathers.errors import CLASSES

    name, class_name = CLASSES[status]
    body = {
        "name": name,
        "message": message,
        "code": status,
        "className": class_name,
        "errors": errors or {},
    }
    return Refusal(status, body)


_FEATHERS_TOKEN_MESSAGES = {
    Why.MISSING: "Not authenticated",
    Why.MALFORMED: "invalid token",
    Why.INVALID: "invalid token",
    Why.SIGNATURE: "invalid signature",
    Why.EXPIRED: "jwt expired",
    Why.AUDIENCE: "jwt audience invalid",
    Why.ISSUER: "jwt issuer invalid",
    Why.REVOKED: "jwt revoked",
}
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _feathers_token(why: Why) -> Refusal:
    return feathers_refusal(401, _FEATHERS_TOKEN_MESSAGES[why])


def _feathers_jwt_strategy_token(why: Why) -> Refusal:
    # The jwt strategy reads the token from the body: jsonwebtoken's own first checks.
    special = {Why.MISSING: "No access token", Why.MALFORMED: "jwt malformed"}
    return feathers_refusal(401, special.get(why) or _FEATHERS_TOKEN_MESSAGES[why])


def _v1_token(why: Why) -> Refusal:
    return Refusal(401, {"error": "Authentication required"}, CHALLENGE)


def _legacy_token(why: Why) -> Refusal:
    message = "Token expired" if why is Why.EXPIRED else "Authentication required"
    return Refusal(401, {"message": message}, CHALLENGE)


def _form_token(why: Why) -> Refusal:
    messages = {Why.EXPIRED: "Token expired", Why.MISSING: "Not authenticated"}
    return Refusal(401, {"detail": messages.get(why, "Could not validate credentials")}, CHALLENGE)


def _oauth_token(why: Why) -> Refusal:
    # RFC 7662 §2.2: a token that is not active is answered {"active": false}, nothing more.
    return Refusal(200, {"active": False}, {"Cache-Control": "no-store"})


Login = Callable[[httpx.AsyncClient, MadeUser], Awaitable[Tokens]]


async def _feathers(client: httpx.AsyncClient, made: MadeUser) -> Tokens:
    return Tokens((await feathers_login(client, made))["accessToken"], None)


async def _v1(client: httpx.AsyncClient, made: MadeUser) -> Tokens:
    body = await v1_login(client, made)
    return Tokens(body["token"], body["refreshToken"])


async def _legacy(client: httpx.AsyncClient, made: MadeUser) -> Tokens:
    return Tokens((await legacy_login(client, made))["Token"], None)


async def _form(client: httpx.AsyncClient, made: MadeUser) -> Tokens:
    body = await form_login(client, made)
    return Tokens(body["access_token"], body["refresh_token"])


async def _oauth(client: httpx.AsyncClient, made: MadeUser) -> Tokens:
    body = await oauth_login(client, made)
    return Tokens(body["access_token"], body["refresh_token"])


@dataclass(frozen=True)
class Dialect:
    """How one dialect logs in, where it takes a bearer token, and how it refuses one."""

    name: str
    login: Login
    token_refusal: Callable[[Why], Refusal]
    # Headers carry the token (None: the dialect takes it elsewhere, see Target.present).
    header_token: bool = True

    def __repr__(self) -> str:
        return self.name


FEATHERS = Dialect("feathers", _feathers, _feathers_token)
FEATHERS_JWT = Dialect("feathers-jwt", _feathers, _feathers_jwt_strategy_token, header_token=False)
V1 = Dialect("v1", _v1, _v1_token)
LEGACY = Dialect("legacy", _legacy, _legacy_token)
FORM = Dialect("form", _form, _form_token)
OAUTH = Dialect("oauth", _oauth, _oauth_token, header_token=False)

# Where an access token is presented: every dialect, Feathers' jwt strategy and RFC 7662.
TOKEN_DIALECTS = (FEATHERS, FEATHERS_JWT, V1, LEGACY, FORM, OAUTH)
# Where a bearer header is read.
HEADER_DIALECTS = tuple(d for d in TOKEN_DIALECTS if d.header_token)


@dataclass
class Target:
    """A logged-in victim in one dialect, and how to present a token there."""

    dialect: Dialect
    client: httpx.AsyncClient
    user: MadeUser
    tokens: Tokens
    # For RFC 7662, an admin's API key: callers authenticate, and an admin sees every token.
    introspector: str

    async def present(
        self, token: str | None, headers: list[tuple[str, str]] | None = None
    ) -> httpx.Response:
        """Call the dialect's protected endpoint with token (or raw headers)."""
        name = self.dialect.name
        if name == "feathers-jwt":
            data = (
                {"strategy": "jwt", "accessToken": token}
                if token is not None
                else {"strategy": "jwt"}
            )
            return await self.client.post("/authentication", json=data)
        if name == "oauth":
            return await self.client.post(
                "/oauth/introspect", data={"token": token or ""}, headers=bearer(self.introspector)
            )
        if headers is None:
            headers = [] if token is None else [("Authorization", self._scheme(token))]
        path = {"feathers": "/users", "v1": "/api/v1/auth/me", "legacy": "/authheader/list"}
        return await self.client.get(path.get(name, "/auth/me"), headers=headers)

    def _scheme(self, token: str) -> str:
        # Seed 002 sends the JWT bare; the others send `Bearer`.
        return token if self.dialect.name == "legacy" else f"Bearer {token}"

    def refusal(self, why: Why) -> Refusal:
        return self.dialect.token_refusal(why)


async def aim(dialect: Dialect, client: httpx.AsyncClient, users: UserFactory) -> Target:
    """A victim logged in through dialect, checked to be accepted before any attack."""
    introspector = ""
    if dialect is OAUTH:
        admin = await users(is_admin=True)
        introspector = await v1_create_key(client, (await _v1(client, admin)).access)
    victim = await users()
    target = Target(dialect, client, victim, await dialect.login(client, victim), introspector)
    accepted = await target.present(target.tokens.access)
    assert accepted.status_code in (200, 201), accepted.text
    if dialect is OAUTH:
        assert accepted.json()["active"] is True
    return target


# --- refresh ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshWay:
    """A dialect's refresh endpoint, how it names the new pair, and how it refuses."""

    dialect: Dialect
    refusal: Refusal
    access_field: str
    refresh_field: str

    @property
    def name(self) -> str:
        return self.dialect.name

    async def refresh(self, client: httpx.AsyncClient, token: str) -> httpx.Response:
        if self.name == "v1":
            return await client.post("/api/v1/auth/refresh", json={"refreshToken": token})
        if self.name == "form":
            return await client.post("/auth/refresh", data={"refresh_token": token})
        return await client.post(
            "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token}
        )


REFRESH_WAYS = (
    RefreshWay(
        V1,
        Refusal(401, {"error": "Invalid or expired refresh token"}, CHALLENGE),
        "token",
        "refreshToken",
    ),
    RefreshWay(
        FORM,
        Refusal(401, {"detail": "Invalid or expired refresh token"}, CHALLENGE),
        "access_token",
        "refresh_token",
    ),
    RefreshWay(
        OAUTH,
        Refusal(
            400,
            {"error": "invalid_grant", "error_description": "Invalid or expired refresh token"},
            {"Cache-Control": "no-store"},
        ),
        "access_token",
        "refresh_token",
    ),
)


# --- password login ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoginWay:
    """A dialect's password login, and its answers to bad credentials and huge bodies."""

    name: str
    path: str
    bad_credentials: Refusal
    too_large: Refusal
    # (status, body) for a password over 1024 characters in a body under the limit.
    too_long: Refusal

    async def post(self, client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
        if self.name == "feathers":
            data = {"strategy": "local", "email": username, "password": password}
            return await client.post(self.path, json=data)
        if self.name in ("form", "oauth"):
            fields = {"username": username, "password": password}
            if self.name == "oauth":
                fields["grant_type"] = "password"
            return await client.post(self.path, data=fields)
        return await client.post(self.path, json={"username": username, "password": password})

    def user_id(self, response: httpx.Response) -> str:
        """Whose token a successful login returned."""
        body = response.json()
        if self.name == "feathers":
            return str(body["user"]["id"])
        if self.name == "v1":
            return str(body["user"]["id"])
        if self.name == "legacy":
            return str(body["Id"])
        token = body["access_token"]
        return str(split(token)[1]["sub"])


_NO_STORE = {"Cache-Control": "no-store"}
_LONG = "password must be at most 1024 characters"
LOGIN_WAYS = (
    LoginWay(
        "feathers",
        "/authentication",
        feathers_refusal(401, "Invalid login"),
        feathers_refusal(413, "Request body too large"),
        feathers_refusal(400, _LONG, {"password": _LONG}),
    ),
    LoginWay(
        "v1",
        "/api/v1/auth/login",
        Refusal(401, {"error": "Invalid credentials"}, CHALLENGE),
        Refusal(413, {"error": "Request body too large"}),
        Refusal(
            400, {"error": "Invalid request: password: String should have at most 1024 characters"}
        ),
    ),
    LoginWay(
        "legacy",
        "/user/login",
        Refusal(401, {"message": "Incorrect credentials"}, CHALLENGE),
        Refusal(413, {"message": "Request body too large"}),
        Refusal(
            400,
            {"message": "Invalid request: password: String should have at most 1024 characters"},
        ),
    ),
    LoginWay(
        "form",
        "/auth/login",
        Refusal(401, {"detail": "Incorrect username or password"}, CHALLENGE),
        Refusal(413, {"detail": "Request body too large"}),
        Refusal(
            422,
            {
                "detail": [
                    {
                        "type": "string_too_long",
                        "loc": ["body", "password"],
                        "msg": "String should have at most 1024 characters",
                        "ctx": {"max_length": 1024},
                    }
                ]
            },
        ),
    ),
    LoginWay(
        "oauth",
        "/oauth/token",
        Refusal(
            400, {"error": "invalid_grant", "error_description": "Invalid credentials"}, _NO_STORE
        ),
        Refusal(
            413,
            {"error": "invalid_request", "error_description": "Request body too large"},
            _NO_STORE,
        ),
        Refusal(400, {"error": "invalid_request", "error_description": _LONG}, _NO_STORE),
    ),
)
