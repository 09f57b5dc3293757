"""Each auth event is exactly one audit row, with its client and the right fields."""

from __future__ import annotations

import pytest

from authgate.core.models import UserChanges
from tests.audit.support import API, from_test_client, only, rows, sid_of
from tests.dialects.test_login_rule import DIALECTS, FAILURES_ALLOWED
from tests.factories import bearer, v1_login

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def login_as(client, made):
    return await v1_login(client, made)


async def test_login_success_names_user_session_and_client(agent_client, users, services):
    alice = await users()
    tokens = await login_as(agent_client, alice)
    row = await only(services, "login", user_id=alice.id)
    assert row.outcome == "success"
    assert row.session_id == sid_of(tokens["token"])
    assert from_test_client(row)
    assert row.detail == {}


@pytest.mark.parametrize(
    "reason", ["unknown_user", "wrong_password", "disabled", "password_expired"]
)
async def test_login_failure_has_its_reason(agent_client, users, services, reason):
    alice = await users()
    login, password = alice.username, alice.password
    if reason == "unknown_user":
        login = "nobody-at-all"
    elif reason == "wrong_password":
        password = "not-the-password-1"
    elif reason == "disabled":
        await services.core.accounts.update_user(alice.id, UserChanges(disabled=True))
    else:
        await services.core.accounts.expire_password(alice.id)
    response = await agent_client.post(
        f"{API}/login", json={"username": login, "password": password}
    )
    assert response.status_code in (401, 403)
    row = await only(services, "login")
    assert row.outcome == "failure"
    assert row.detail == {"reason": reason}
    assert row.user_id == (None if reason == "unknown_user" else alice.id)
    assert row.session_id is None
    assert from_test_client(row)


@pytest.fixture
def settings_overrides():
    return {"throttle_account_failures": FAILURES_ALLOWED}


@pytest.mark.parametrize("shape", DIALECTS, ids=lambda shape: shape.name)
async def test_throttled_login_is_one_row_in_every_dialect(agent_client, users, services, shape):
    alice = await users()
    for _ in range(FAILURES_ALLOWED):
        await shape.login(agent_client, alice.username, "wrong-password")
    response = await shape.login(agent_client, alice.username, alice.password)
    assert response.status_code == 429
    row = await only(services, "throttled")
    assert row.outcome == "failure"
    assert row.detail == {
        "scope": "login",
        "limit": "account",
        "retry_after": int(response.headers["retry-after"]),
    }
    assert from_test_client(row)
    assert len(await rows(services, event="login", outcome="failure")) == FAILURES_ALLOWED
    # The refused attempt is not also a login row.
    assert await rows(services, event="login", outcome="success") == []


async def test_throttled_oauth_password_grant_is_audited(agent_client, users, services):
    alice = await users()
    data = {"grant_type": "password", "username": alice.username, "password": "wrong-pass"}
    for _ in range(FAILURES_ALLOWED):
        assert (await agent_client.post("/oauth/token", data=data)).status_code == 400
    assert (await agent_client.post("/oauth/token", data=data)).status_code == 429
    assert (await only(services, "throttled")).detail["limit"] == "account"


@pytest.mark.parametrize(
    "settings_overrides",
    [{"throttle_address_failures": FAILURES_ALLOWED, "throttle_account_failures": 100}],
)
async def test_throttled_refresh_and_client_secret_are_audited(
    agent_client, services, settings_overrides
):
    # Refused refresh tokens and client secrets count per address; the limit-th blocks.
    for _ in range(FAILURES_ALLOWED):
        refused = await agent_client.post(f"{API}/refresh", json={"refreshToken": "guess"})
        assert refused.status_code == 401
    blocked = await agent_client.post(f"{API}/refresh", json={"refreshToken": "guess"})
    assert blocked.status_code == 429
    row = await only(services, "throttled")
    assert row.detail == {
        "scope": "refresh",
        "limit": "address",
        "retry_after": int(blocked.headers["retry-after"]),
    }
    assert from_test_client(row)

    secret = {"grant_type": "client_credentials", "client_id": "k", "client_secret": "sk_live_x"}
    for _ in range(FAILURES_ALLOWED):
        assert (await agent_client.post("/oauth/token", data=secret)).status_code == 401
    assert (await agent_client.post("/oauth/token", data=secret)).status_code == 429
    scopes = [r.detail["scope"] for r in await rows(services, event="throttled")]
    assert scopes == ["client", "refresh"]


async def test_logout_and_session_revoke(agent_client, users, services):
    alice = await users()
    first = await login_as(agent_client, alice)
    second = await login_as(agent_client, alice)
    response = await agent_client.delete(
        f"{API}/sessions/{sid_of(second['token'])}", headers=bearer(first["token"])
    )
    assert response.status_code == 204
    response = await agent_client.post(f"{API}/logout", headers=bearer(first["token"]))
    assert response.status_code == 200
    ended = await rows(services, event="logout", user_id=alice.id)
    assert [r.session_id for r in ended] == [sid_of(first["token"]), sid_of(second["token"])]
    assert all(from_test_client(r) and r.detail == {} for r in ended)


async def test_logout_all_counts_sessions(agent_client, users, services):
    alice = await users()
    tokens = [await login_as(agent_client, alice) for _ in range(3)]
    response = await agent_client.post(f"{API}/logout-all", headers=bearer(tokens[0]["token"]))
    assert response.json()["sessionsEnded"] == 3
    row = await only(services, "logout_all", user_id=alice.id)
    assert row.detail == {"count": 3}
    assert from_test_client(row)


async def test_refresh_then_reuse(agent_client, users, services):
    alice = await users()
    tokens = await login_as(agent_client, alice)
    old = tokens["refreshToken"]
    assert (
        await agent_client.post(f"{API}/refresh", json={"refreshToken": old})
    ).status_code == 200
    row = await only(services, "refresh", user_id=alice.id)
    assert row.session_id == sid_of(tokens["token"]) and from_test_client(row)
    assert (
        await agent_client.post(f"{API}/refresh", json={"refreshToken": old})
    ).status_code == 401
    reuse = await only(services, "refresh_reuse")
    assert reuse.outcome == "failure"
    assert reuse.session_id == sid_of(tokens["token"])
    assert from_test_client(reuse)
    # An unknown token is refused without a reuse row.
    await agent_client.post(f"{API}/refresh", json={"refreshToken": "never-issued"})
    assert len(await rows(services, event="refresh_reuse")) == 1


async def test_password_change_without_a_token(agent_client, users, services):
    alice = await users()
    response = await agent_client.post(
        f"{API}/password",
        json={"username": alice.username, "password": alice.password, "newPassword": "N3w-pass!x"},
    )
    assert response.status_code == 200
    row = await only(services, "password_change", user_id=alice.id)
    assert row.outcome == "success" and from_test_client(row)
    assert "by" not in row.detail


async def test_password_expire_by_the_operator(users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    row = await only(services, "password_expire", user_id=alice.id)
    assert row.client_ip is None  # not a request: no client


async def test_api_keys_create_delete_and_denied_use(agent_client, users, services):
    alice = await users()
    tokens = await login_as(agent_client, alice)
    created = await agent_client.post(
        f"{API}/keys", json={"name": "ci"}, headers=bearer(tokens["token"])
    )
    key_id, secret = created.json()["keyId"], created.json()["apiKey"]
    made = await only(services, "api_key_create", user_id=alice.id)
    assert made.detail == {"key_id": key_id} and from_test_client(made)

    assert (await agent_client.get(f"{API}/me", headers={"X-API-Key": secret})).status_code == 200
    assert await rows(services, event="api_key_use") == []  # a good key is not a row per call

    deleted = await agent_client.delete(f"{API}/keys/{key_id}", headers=bearer(tokens["token"]))
    assert deleted.status_code == 204
    assert (await only(services, "api_key_delete", user_id=alice.id)).detail == {"key_id": key_id}

    assert (await agent_client.get(f"{API}/me", headers={"X-API-Key": secret})).status_code == 401
    denied = await only(services, "api_key_use")
    assert denied.outcome == "failure"
    assert denied.detail == {"reason": "unknown_key"}
    assert from_test_client(denied)


async def test_api_key_of_a_disabled_owner_is_denied(agent_client, users, services):
    alice = await users()
    tokens = await login_as(agent_client, alice)
    created = await agent_client.post(
        f"{API}/keys", json={"name": "ci"}, headers=bearer(tokens["token"])
    )
    await services.core.accounts.update_user(alice.id, UserChanges(disabled=True))
    secret = created.json()["apiKey"]
    assert (await agent_client.get(f"{API}/me", headers={"X-API-Key": secret})).status_code == 401
    denied = await only(services, "api_key_use", user_id=alice.id)
    assert denied.detail == {"key_id": created.json()["keyId"], "reason": "disabled"}


async def test_client_credentials_issue_and_deleted_key(agent_client, users, services):
    alice = await users()
    tokens = await login_as(agent_client, alice)
    created = (
        await agent_client.post(f"{API}/keys", json={"name": "rs"}, headers=bearer(tokens["token"]))
    ).json()
    response = await agent_client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["keyId"],
            "client_secret": created["apiKey"],
        },
    )
    assert response.status_code == 200, response.text
    access = response.json()["access_token"]
    row = await only(services, "client_credentials", user_id=alice.id)
    assert row.detail == {"key_id": created["keyId"]}
    assert row.session_id == sid_of(access) and from_test_client(row)

    wrong_id = await agent_client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "not-this-key",
            "client_secret": created["apiKey"],
        },
    )
    assert wrong_id.status_code == 401
    mismatch = await only(services, "api_key_use", user_id=alice.id)
    assert mismatch.detail == {"key_id": created["keyId"], "reason": "client_id_mismatch"}

    await agent_client.delete(f"{API}/keys/{created['keyId']}", headers=bearer(tokens["token"]))
    assert (await agent_client.get(f"{API}/me", headers=bearer(access))).status_code == 401
    stale = await rows(services, event="api_key_use", user_id=alice.id)
    assert stale[0].detail == {"key_id": created["keyId"], "reason": "deleted_key"}


async def feathers_token(client, made):
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": made.email, "password": made.password},
    )
    assert response.status_code == 201, response.text
    return response.json()["accessToken"]


async def test_admin_actions_name_the_admin(agent_client, users, services):
    admin = await users(is_admin=True)
    token = await feathers_token(agent_client, admin)
    created = await agent_client.post(
        "/users",
        json={"username": "newbie", "email": "newbie@example.com", "password": "Sturdy-pass-9"},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text
    newbie = created.json()["id"]
    patched = await agent_client.patch(
        f"/users/{newbie}", json={"name": "New Bie"}, headers=bearer(token)
    )
    assert patched.status_code == 200, patched.text
    promoted = await agent_client.patch(
        f"/users/{newbie}", json={"isAdmin": True}, headers=bearer(token)
    )
    assert promoted.status_code == 200, promoted.text
    password = await agent_client.patch(
        f"/users/{newbie}", json={"password": "Other-pass-77"}, headers=bearer(token)
    )
    assert password.status_code == 200, password.text
    removed = await agent_client.delete(f"/users/{newbie}", headers=bearer(token))
    assert removed.status_code == 200, removed.text

    expected = {
        "user_create": {"by": admin.id},
        "password_change": {"by": admin.id, "fields": []},
        "user_delete": {"by": admin.id},
    }
    for event, detail in expected.items():
        row = await only(services, event, user_id=newbie)
        assert row.detail == detail, event
        assert from_test_client(row)
    updates = await rows(services, event="user_update", user_id=newbie)
    assert [r.detail for r in updates] == [
        {"by": admin.id, "fields": ["is_admin"]},
        {"by": admin.id, "fields": ["name"]},
    ]
    # The deleted user's trail outlives them.
    assert len(await rows(services, user_id=newbie)) == len(expected) + len(updates)


async def test_own_profile_change_has_no_by(agent_client, users, services):
    alice = await users()
    token = await feathers_token(agent_client, alice)
    response = await agent_client.patch(
        f"/users/{alice.id}",
        json={"password": "Brand-new-pass-5", "currentPassword": alice.password},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    row = await only(services, "password_change", user_id=alice.id)
    assert row.detail == {"fields": []}


async def test_operator_disable_and_enable_without_a_request(users, services):
    alice = await users()
    await services.core.accounts.update_user(alice.id, UserChanges(disabled=True))
    await services.core.accounts.update_user(alice.id, UserChanges(disabled=False))
    await services.core.accounts.update_user(alice.id, UserChanges(name="Alice"))
    for event in ("user_disable", "user_enable", "user_update"):
        row = await only(services, event, user_id=alice.id)
        assert row.client_ip is None and "by" not in row.detail
    assert (await only(services, "user_disable", user_id=alice.id)).detail == {
        "fields": ["disabled"]
    }
