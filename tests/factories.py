"""Factories that build through the core services, never through raw SQL."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from authgate.container import Services
from authgate.core.accounts import NewUser
from authgate.core.models import User

_counter = itertools.count(1)
DEFAULT_PASSWORD = "Tr0ub4dor&3-horse"


@dataclass(frozen=True)
class MadeUser:
    user: User
    password: str

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def email(self) -> str:
        return self.user.email


class UserFactory:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, **fields: Any) -> MadeUser:
        n = next(_counter)
        values: dict[str, Any] = {
            "username": f"user{n}",
            "email": f"user{n}@example.com",
            "password": DEFAULT_PASSWORD,
            **fields,
        }
        user = await self.services.core.accounts.create_user(NewUser(**values))
        return MadeUser(user=user, password=values["password"])


async def v1_login(client: httpx.AsyncClient, made: MadeUser) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": made.username, "password": made.password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    """HTTP Basic with an API key's id and secret: an OAuth client (RFC 6749 §2.3.1)."""
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def legacy_login(client: httpx.AsyncClient, made: MadeUser) -> dict[str, Any]:
    """POST /user/login (seed 002); the body has the JWT under "Token"."""
    response = await client.post(
        "/user/login", json={"username": made.username, "password": made.password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def form_login(client: httpx.AsyncClient, made: MadeUser) -> dict[str, Any]:
    """POST /auth/login as a form (seed 003's curl -d); OAuth2-style token body."""
    response = await client.post(
        "/auth/login", data={"username": made.username, "password": made.password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def feathers_login(client: httpx.AsyncClient, made: MadeUser) -> dict[str, Any]:
    """POST /authentication with the local strategy (seed 000); the JWT is "accessToken"."""
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": made.email, "password": made.password},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def oauth_login(client: httpx.AsyncClient, made: MadeUser) -> dict[str, Any]:
    """POST /oauth/token with the password grant (RFC 6749 §4.3), as a public client."""
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": made.username, "password": made.password},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def v1_new_key(client: httpx.AsyncClient, made: MadeUser, name: str = "k") -> dict[str, Any]:
    """Log in over v1 and create an API key; the whole 201 body (keyId, apiKey, ...)."""
    tokens = await v1_login(client, made)
    response = await client.post(
        "/api/v1/auth/keys", json={"name": name}, headers=bearer(tokens["token"])
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def v1_create_key(client: httpx.AsyncClient, access_token: str, name: str = "k") -> str:
    """A new API key's full secret, made with a password session's token."""
    response = await client.post(
        "/api/v1/auth/keys", json={"name": name}, headers=bearer(access_token)
    )
    assert response.status_code == 201, response.text
    secret: str = response.json()["apiKey"]
    return secret
