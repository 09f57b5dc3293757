"""API keys through /api/v1/auth/keys: shown once, masked, usable, unable to manage themselves."""

from __future__ import annotations

import pytest

from tests.factories import bearer, v1_login

API = "/api/v1/auth"


@pytest.fixture
async def alice_tokens(client, users):
    return await v1_login(client, await users())


async def _make_key(client, token, name="integration"):
    response = await client.post(f"{API}/keys", json={"name": name}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_key_shows_secret_once(client, alice_tokens):
    created = await _make_key(client, alice_tokens["token"])
    assert set(created) == {"keyId", "apiKey", "name", "createdAt"}
    assert created["keyId"].startswith("key_") and len(created["keyId"]) == 16
    assert created["apiKey"].startswith("sk_live_") and len(created["apiKey"]) == 40
    listed = (await client.get(f"{API}/keys", headers=bearer(alice_tokens["token"]))).json()
    assert listed == [
        {
            "keyId": created["keyId"],
            "name": "integration",
            "createdAt": created["createdAt"],
            "lastUsed": None,
        }
    ]
    assert created["apiKey"] not in str(listed)


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
async def test_key_authenticates_as_its_owner_and_records_last_use(client, alice_tokens, header):
    created = await _make_key(client, alice_tokens["token"])
    value = f"Bearer {created['apiKey']}" if header == "Authorization" else created["apiKey"]
    me = await client.get(f"{API}/me", headers={header: value})
    assert me.status_code == 200
    listed = (await client.get(f"{API}/keys", headers=bearer(alice_tokens["token"]))).json()
    assert listed[0]["lastUsed"] is not None


async def test_key_cannot_manage_keys_sessions_or_log_out(client, alice_tokens):
    created = await _make_key(client, alice_tokens["token"])
    as_key = {"X-API-Key": created["apiKey"]}
    attempts = [
        client.post(f"{API}/keys", json={"name": "escalate"}, headers=as_key),
        client.get(f"{API}/keys", headers=as_key),
        client.delete(f"{API}/keys/{created['keyId']}", headers=as_key),
        client.get(f"{API}/sessions", headers=as_key),
        client.post(f"{API}/logout", headers=as_key),
        client.post(f"{API}/logout-all", headers=as_key),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 403, response.text
        assert "error" in response.json()
    listed = (await client.get(f"{API}/keys", headers=bearer(alice_tokens["token"]))).json()
    assert len(listed) == 1


async def test_deleted_key_is_refused_at_once(client, alice_tokens):
    created = await _make_key(client, alice_tokens["token"])
    assert (
        await client.get(f"{API}/me", headers={"X-API-Key": created["apiKey"]})
    ).status_code == 200
    response = await client.delete(
        f"{API}/keys/{created['keyId']}", headers=bearer(alice_tokens["token"])
    )
    assert response.status_code == 204
    assert response.content == b""
    assert (
        await client.get(f"{API}/me", headers={"X-API-Key": created["apiKey"]})
    ).status_code == 401
    again = await client.delete(
        f"{API}/keys/{created['keyId']}", headers=bearer(alice_tokens["token"])
    )
    assert again.status_code == 404
    assert again.json() == {"error": "API key not found"}


async def test_another_users_key_is_not_found(client, users, alice_tokens):
    created = await _make_key(client, alice_tokens["token"])
    bob_tokens = await v1_login(client, await users())
    response = await client.delete(
        f"{API}/keys/{created['keyId']}", headers=bearer(bob_tokens["token"])
    )
    assert response.status_code == 404
    assert response.json() == {"error": "API key not found"}
    assert (
        await client.get(f"{API}/me", headers={"X-API-Key": created["apiKey"]})
    ).status_code == 200


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}, {"name": "ok", "userId": "x"}]
)
async def test_bad_key_names_are_400_and_create_nothing(client, alice_tokens, body):
    response = await client.post(f"{API}/keys", json=body, headers=bearer(alice_tokens["token"]))
    assert response.status_code == 400
    assert (await client.get(f"{API}/keys", headers=bearer(alice_tokens["token"]))).json() == []


async def test_forged_key_with_right_prefix_is_401(client):
    response = await client.get(f"{API}/me", headers={"X-API-Key": "sk_live_" + "A" * 32})
    assert response.status_code == 401


async def test_two_credentials_at_once_are_refused(client, alice_tokens):
    created = await _make_key(client, alice_tokens["token"])
    response = await client.get(
        f"{API}/me", headers={"X-API-Key": created["apiKey"], **bearer(alice_tokens["token"])}
    )
    assert response.status_code == 401
