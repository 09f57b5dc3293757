"""The login throttle also guards refresh, password change and client authentication.

Refresh tokens and client secrets are checked the cheap way (core/throttle.py): a
blocked key is refused with 429 before any lookup, and only refusals are counted.
Password changes prove the current password, so they go through the login rule itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine

from tests.factories import basic_auth, bearer, form_login, v1_login, v1_new_key

LIMIT = 3
BLOCK_SECONDS = 30
TOO_MANY = "Too many attempts, try again later"

pytestmark = pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "throttle_account_failures": LIMIT,
            "throttle_address_failures": LIMIT,
            "throttle_base_delay": BLOCK_SECONDS,
        }
    ],
)


def after_the_block() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=BLOCK_SECONDS + 1)


Refresh = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class RefreshShape:
    name: str
    login: Callable[[httpx.AsyncClient, Any], Awaitable[dict[str, Any]]]
    token_field: str
    refresh: Refresh
    refused: tuple[int, dict[str, Any]]
    throttled: dict[str, Any]


async def v1_refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refreshToken": token})


async def form_refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", data={"refresh_token": token})


async def oauth_refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


REFRESHERS = [
    RefreshShape(
        "v1",
        v1_login,
        "refreshToken",
        v1_refresh,
        (401, {"error": "Invalid or expired refresh token"}),
        {"error": TOO_MANY},
    ),
    RefreshShape(
        "form",
        form_login,
        "refresh_token",
        form_refresh,
        (401, {"detail": "Invalid or expired refresh token"}),
        {"detail": TOO_MANY},
    ),
    RefreshShape(
        "oauth",
        form_login,
        "refresh_token",
        oauth_refresh,
        (400, {"error": "invalid_grant"}),
        {"error": "temporarily_unavailable"},
    ),
]


def error_fields(response: httpx.Response, expected: dict[str, Any]) -> dict[str, Any]:
    """The response's body restricted to the expected keys (OAuth adds a description)."""
    body = response.json()
    return {name: body.get(name) for name in expected}


@pytest.mark.parametrize("shape", REFRESHERS, ids=lambda s: s.name)
async def test_refused_refresh_tokens_block_the_address_then_the_block_ends(client, users, shape):
    tokens = await shape.login(client, await users())
    good = tokens[shape.token_field]
    for i in range(LIMIT):
        refused = await shape.refresh(client, f"not-a-refresh-token-{i}")
        status, body = shape.refused
        assert (refused.status_code, error_fields(refused, body)) == (status, body)
    blocked = await shape.refresh(client, good)
    assert blocked.status_code == 429
    assert error_fields(blocked, shape.throttled) == shape.throttled
    assert 1 <= int(blocked.headers["retry-after"]) <= BLOCK_SECONDS
    # The refused call changed nothing: once the block ends, the same token still rotates.
    with time_machine.travel(after_the_block(), tick=True):
        rotated = await shape.refresh(client, good)
    assert rotated.status_code == 200, rotated.text


async def test_good_refreshes_are_never_counted(client, users):
    tokens = await v1_login(client, await users())
    token = tokens["refreshToken"]
    for _ in range(LIMIT * 3):
        response = await v1_refresh(client, token)
        assert response.status_code == 200
        token = response.json()["refreshToken"]


async def test_a_reused_refresh_token_counts_as_a_refusal(client, users):
    tokens = await v1_login(client, await users())
    assert (await v1_refresh(client, tokens["refreshToken"])).status_code == 200
    for _ in range(LIMIT):
        assert (await v1_refresh(client, tokens["refreshToken"])).status_code == 401
    assert (await v1_refresh(client, tokens["refreshToken"])).status_code == 429


async def client_credentials(client: httpx.AsyncClient, key_id: str, secret: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(key_id, secret),
    )


async def test_wrong_client_secrets_block_the_client_even_with_the_right_secret(client, users):
    key = await v1_new_key(client, await users(), "svc")
    wrong = key["apiKey"][:-4] + "AAAA"
    for _ in range(LIMIT):
        refused = await client_credentials(client, key["keyId"], wrong)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
    blocked = await client_credentials(client, key["keyId"], key["apiKey"])
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "temporarily_unavailable"
    assert int(blocked.headers["retry-after"]) >= 1
    # Introspection and revocation authenticate the client the same way.
    introspect = await client.post(
        "/oauth/introspect", data={"token": "x"}, headers=basic_auth(key["keyId"], key["apiKey"])
    )
    assert introspect.status_code == 429
    with time_machine.travel(after_the_block(), tick=True):
        allowed = await client_credentials(client, key["keyId"], key["apiKey"])
    assert allowed.status_code == 200, allowed.text


async def test_a_blocked_client_id_does_not_block_another_client(client, users, settings):
    key = await v1_new_key(client, await users(), "svc")
    other = await v1_new_key(client, await users(), "svc")
    wrong = key["apiKey"][:-4] + "AAAA"
    for _ in range(LIMIT - 1):
        assert (await client_credentials(client, key["keyId"], wrong)).status_code == 401
    # Same address, fewer than LIMIT refusals in all: the other client is unaffected.
    assert (await client_credentials(client, other["keyId"], other["apiKey"])).status_code == 200


@dataclass(frozen=True)
class PasswordChanger:
    name: str
    change: Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]


async def v1_change(client: httpx.AsyncClient, login: str, old: str) -> httpx.Response:
    body = {"username": login, "password": old, "newPassword": "Another-Pass-Phrase-42"}
    return await client.post("/api/v1/auth/password", json=body)


async def legacy_change(client: httpx.AsyncClient, login: str, old: str) -> httpx.Response:
    body = {"username": login, "password": old, "newPassword": "Another-Pass-Phrase-42"}
    return await client.post("/user/password", json=body)


async def form_change(client: httpx.AsyncClient, login: str, old: str) -> httpx.Response:
    body = {"username": login, "password": old, "new_password": "Another-Pass-Phrase-42"}
    return await client.post("/auth/password", data=body)


CHANGERS = [
    PasswordChanger("v1", v1_change),
    PasswordChanger("legacy", legacy_change),
    PasswordChanger("form", form_change),
]


@pytest.mark.parametrize("changer", CHANGERS, ids=lambda c: c.name)
async def test_password_change_guesses_are_throttled_and_change_nothing(
    client, users, services, changer
):
    alice = await users()
    for _ in range(LIMIT):
        assert (await changer.change(client, alice.username, "wrong-guess")).status_code == 401
    blocked = await changer.change(client, alice.username, alice.password)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    stored = await services.core.accounts.get_user(alice.id)
    assert stored.password_hash == alice.user.password_hash


async def test_own_password_change_guesses_are_throttled(client, users, services):
    # Feathers' PATCH /users/:id proves the current password the same way.
    alice = await users()
    login = await client.post(
        "/authentication",
        json={"strategy": "local", "email": alice.email, "password": alice.password},
    )
    headers = bearer(login.json()["accessToken"])
    body = {"password": "Another-Pass-Phrase-42", "currentPassword": "wrong-guess"}
    for _ in range(LIMIT):
        response = await client.patch(f"/users/{alice.id}", json=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "currentPassword is incorrect"
    body["currentPassword"] = alice.password
    blocked = await client.patch(f"/users/{alice.id}", json=body, headers=headers)
    assert blocked.status_code == 429, blocked.text
    assert blocked.json()["name"] == "TooManyRequests"
    stored = await services.core.accounts.get_user(alice.id)
    assert stored.password_hash == alice.user.password_hash
