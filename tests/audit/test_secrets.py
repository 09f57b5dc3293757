"""No audit row holds a password, token, refresh token or API key, whatever the flow."""

from __future__ import annotations

import json
from dataclasses import asdict

from tests.audit.support import API, rows
from tests.factories import bearer, v1_login

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_rows_never_hold_a_secret(agent_client, users, services):
    alice = await users()
    secrets: list[str] = [alice.password]
    tokens = await v1_login(agent_client, alice)
    secrets += [tokens["token"], tokens["refreshToken"]]
    refreshed = (
        await agent_client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    ).json()
    secrets += [refreshed["token"], refreshed["refreshToken"]]
    await agent_client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})

    again = await v1_login(agent_client, alice)
    secrets += [again["token"], again["refreshToken"]]
    key = (
        await agent_client.post(f"{API}/keys", json={"name": "k"}, headers=bearer(again["token"]))
    ).json()
    secrets.append(key["apiKey"])
    await agent_client.get(f"{API}/me", headers={"X-API-Key": key["apiKey"]})
    issued = await agent_client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": key["keyId"],
            "client_secret": key["apiKey"],
        },
    )
    secrets.append(issued.json()["access_token"])
    await agent_client.delete(f"{API}/keys/{key['keyId']}", headers=bearer(again["token"]))
    await agent_client.get(f"{API}/me", headers={"X-API-Key": key["apiKey"]})

    # Secrets typed where they do not belong: a password as the login, a key as a password.
    typed = "Typed-secret-in-the-wrong-box-1"
    secrets.append(typed)
    await agent_client.post(f"{API}/login", json={"username": typed, "password": key["apiKey"]})
    await agent_client.post(
        f"{API}/login", json={"username": alice.username, "password": "Wrong-guess-22"}
    )
    secrets.append("Wrong-guess-22")
    new_password = "Changed-pass-333"
    await agent_client.post(
        f"{API}/password",
        json={"username": alice.username, "password": alice.password, "newPassword": new_password},
    )
    secrets.append(new_password)

    stored = await rows(services)
    assert len(stored) >= 12
    dumped = json.dumps([asdict(r) for r in stored], default=str)
    for secret in secrets:
        assert secret not in dumped
        assert secret[:16] not in dumped  # not even a prefix of one


async def test_long_user_agent_is_truncated(client, users, services):
    alice = await users()
    await client.post(
        f"{API}/login",
        json={"username": alice.username, "password": alice.password},
        headers={"User-Agent": "A" * 2000},
    )
    (row,) = await rows(services, event="login")
    assert row.user_agent == "A" * 256
