"""/api/v1/auth over HTTP: every endpoint, status and error body of API.md §3."""

from __future__ import annotations

import asyncio
import time

import pytest

from authgate.core.models import UserChanges
from tests.factories import bearer, v1_login

API = "/api/v1/auth"


# login


async def test_login_returns_token_refresh_token_and_user(client, users):
    alice = await users()
    response = await client.post(
        f"{API}/login", json={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in", "refreshToken", "user"}
    assert body["expires_in"] == 3600
    assert body["user"] == {"id": alice.id, "username": alice.username, "email": alice.email}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("transform", [str.upper, str.title, lambda s: s])
async def test_login_accepts_username_or_email_in_any_case(client, users, transform):
    alice = await users(username="Alice.Liddell", email="Alice@Example.com")
    for login in (alice.username, alice.email):
        response = await client.post(
            f"{API}/login", json={"username": transform(login), "password": alice.password}
        )
        assert response.status_code == 200, response.text


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, users):
    alice = await users()
    wrong = await client.post(
        f"{API}/login", json={"username": alice.username, "password": "nope-nope"}
    )
    unknown = await client.post(f"{API}/login", json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "Invalid credentials"}


async def test_disabled_user_cannot_log_in(client, users, services):
    alice = await users()
    await services.core.accounts.update_user(alice.id, UserChanges(disabled=True))
    response = await client.post(
        f"{API}/login", json={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}


async def test_expired_password_is_403_without_token(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        f"{API}/login", json={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 403
    assert response.json() == {"error": "Password expired"}


async def test_expired_password_with_wrong_password_is_still_401(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        f"{API}/login", json={"username": alice.username, "password": "wrong-pass"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "field required"),
        ({"username": "a"}, "password"),
        ({"username": 1, "password": "x"}, "username"),
        ({"username": "a", "password": ["x"]}, "password"),
        ({"username": "a", "password": "x", "is_admin": True}, "is_admin: unknown field"),
        ({"username": "a", "password": "p" * 1025}, "password"),
        ({"username": "", "password": "x"}, "username"),
        ([1, 2], "JSON object"),
    ],
)
async def test_login_bad_input_is_400(client, body, fragment):
    response = await client.post(f"{API}/login", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


async def test_malformed_json_is_400(client):
    response = await client.post(
        f"{API}/login", content=b'{"username": "a",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request: malformed JSON"}


async def test_body_over_64_kib_is_413(client):
    big = {"username": "a", "password": "b", "pad": "x" * (65 * 1024)}
    response = await client.post(f"{API}/login", json=big)
    assert response.status_code == 413
    assert response.json() == {"error": "Request body too large"}


async def test_huge_password_is_refused_before_hashing(client, users, services, monkeypatch):
    alice = await users()

    async def must_not_hash(*args):
        raise AssertionError("a refused password was hashed")

    monkeypatch.setattr(services.core.ctx.hasher, "verify_and_update", must_not_hash)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = await client.post(
            f"{API}/login", json={"username": alice.username, "password": "p" * 60_000}
        )
        timings.append(time.perf_counter() - started)
        assert response.status_code == 400
    assert min(timings) < 0.05


async def test_repeated_failures_are_throttled_with_retry_after(client, users):
    alice = await users()
    for _ in range(5):
        response = await client.post(
            f"{API}/login", json={"username": alice.username, "password": "wrong-pass"}
        )
        assert response.status_code == 401
    blocked = await client.post(
        f"{API}/login", json={"username": alice.username, "password": alice.password}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json() == {"error": "Too many attempts, try again later"}


async def test_parallel_wrong_guesses_cannot_pass_the_limit(client, users, services):
    alice = await users()
    guesses = [
        client.post(f"{API}/login", json={"username": alice.username, "password": f"wrong-{i}"})
        for i in range(20)
    ]
    statuses = sorted(r.status_code for r in await asyncio.gather(*guesses))
    assert statuses.count(401) == 5
    assert statuses.count(429) == 15


# refresh


async def test_refresh_rotates_the_refresh_token(client, users):
    tokens = await v1_login(client, await users())
    response = await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in", "refreshToken"}
    assert body["refreshToken"] != tokens["refreshToken"]
    me = await client.get(f"{API}/me", headers=bearer(body["token"]))
    assert me.status_code == 200


async def test_reused_refresh_token_ends_the_whole_session(client, users):
    tokens = await v1_login(client, await users())
    rotated = (
        await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    ).json()
    reuse = await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert reuse.status_code == 401
    assert reuse.json() == {"error": "Invalid or expired refresh token"}
    again = await client.post(f"{API}/refresh", json={"refreshToken": rotated["refreshToken"]})
    assert again.status_code == 401
    for token in (tokens["token"], rotated["token"]):
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401


@pytest.mark.parametrize("token", ["", "x", "not-a-real-token", "a" * 600])
async def test_unknown_refresh_token_is_401_or_400(client, token):
    response = await client.post(f"{API}/refresh", json={"refreshToken": token})
    assert response.status_code in (400, 401)
    assert "error" in response.json()


async def test_concurrent_refreshes_with_one_token_give_exactly_one_success(client, users):
    tokens = await v1_login(client, await users())
    attempts = [
        client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
        for _ in range(10)
    ]
    statuses = [r.status_code for r in await asyncio.gather(*attempts)]
    assert statuses.count(200) == 1
    assert statuses.count(401) == 9


async def test_refresh_token_is_useless_as_access_token(client, users):
    tokens = await v1_login(client, await users())
    response = await client.get(f"{API}/me", headers=bearer(tokens["refreshToken"]))
    assert response.status_code == 401


# logout and sessions


async def test_logout_kills_access_and_refresh_token_at_once(client, users):
    tokens = await v1_login(client, await users())
    response = await client.post(f"{API}/logout", headers=bearer(tokens["token"]))
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}
    assert (await client.get(f"{API}/me", headers=bearer(tokens["token"]))).status_code == 401
    refresh = await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refresh.status_code == 401
    again = await client.post(f"{API}/logout", headers=bearer(tokens["token"]))
    assert again.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Token abc"},
    ],
)
async def test_logout_without_valid_token_is_401(client, headers):
    response = await client.post(f"{API}/logout", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Authentication required"}
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "  Bearer  "])
async def test_bearer_scheme_is_case_insensitive(client, users, scheme):
    tokens = await v1_login(client, await users())
    response = await client.get(
        f"{API}/me", headers={"Authorization": f"{scheme} {tokens['token']}"}
    )
    assert response.status_code == 200


async def test_me_returns_the_profile_without_secrets(client, users):
    alice = await users(first_name="Alice", last_name="Liddell", name="Alice L.")
    tokens = await v1_login(client, alice)
    body = (await client.get(f"{API}/me", headers=bearer(tokens["token"]))).json()
    assert body["firstName"] == "Alice"
    assert body["createdAt"].endswith("Z")
    assert not any("password_hash" in k or "hash" in k.lower() for k in body)
    assert alice.password not in str(body)


async def test_sessions_list_and_revoke_one(client, users):
    alice = await users()
    first = await v1_login(client, alice)
    second = await v1_login(client, alice)
    listed = (await client.get(f"{API}/sessions", headers=bearer(first["token"]))).json()
    assert len(listed) == 2
    current = [s for s in listed if s["current"]]
    other = next(s for s in listed if not s["current"])
    assert len(current) == 1
    assert other["ip"] == "203.0.113.7"
    response = await client.delete(f"{API}/sessions/{other['id']}", headers=bearer(first["token"]))
    assert response.status_code == 204
    assert (await client.get(f"{API}/me", headers=bearer(second["token"]))).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(first["token"]))).status_code == 200
    missing = await client.delete(f"{API}/sessions/{other['id']}", headers=bearer(first["token"]))
    assert missing.status_code == 404


async def test_cannot_revoke_another_users_session(client, users):
    alice_tokens = await v1_login(client, await users())
    bob_tokens = await v1_login(client, await users())
    bob_sessions = (await client.get(f"{API}/sessions", headers=bearer(bob_tokens["token"]))).json()
    response = await client.delete(
        f"{API}/sessions/{bob_sessions[0]['id']}", headers=bearer(alice_tokens["token"])
    )
    assert response.status_code == 404
    assert (await client.get(f"{API}/me", headers=bearer(bob_tokens["token"]))).status_code == 200


async def test_logout_all_ends_every_session(client, users):
    alice = await users()
    sessions = [await v1_login(client, alice) for _ in range(3)]
    response = await client.post(f"{API}/logout-all", headers=bearer(sessions[0]["token"]))
    assert response.status_code == 200
    assert response.json()["sessionsEnded"] == 3
    for tokens in sessions:
        assert (await client.get(f"{API}/me", headers=bearer(tokens["token"]))).status_code == 401


# password change


async def test_password_change_ends_sessions_and_new_password_works(client, users):
    alice = await users()
    old = await v1_login(client, alice)
    response = await client.post(
        f"{API}/password",
        json={
            "username": alice.username,
            "password": alice.password,
            "newPassword": "a-brand-new-secret",
        },
    )
    assert response.status_code == 200
    assert (await client.get(f"{API}/me", headers=bearer(old["token"]))).status_code == 401
    login = await client.post(
        f"{API}/login", json={"username": alice.username, "password": "a-brand-new-secret"}
    )
    assert login.status_code == 200
    stale = await client.post(
        f"{API}/login", json={"username": alice.username, "password": alice.password}
    )
    assert stale.status_code == 401


async def test_expired_password_can_be_changed_without_token(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        f"{API}/password",
        json={
            "username": alice.username,
            "password": alice.password,
            "newPassword": "fresh-password-42",
        },
    )
    assert response.status_code == 200
    login = await client.post(
        f"{API}/login", json={"username": alice.username, "password": "fresh-password-42"}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("new_password", "status"),
    [("short", 400), ("p" * 1025, 400), (" " * 12, 400), ("SAME", 400)],
)
async def test_password_change_rules(client, users, new_password, status):
    alice = await users()
    if new_password == "SAME":
        new_password = alice.password
    response = await client.post(
        f"{API}/password",
        json={"username": alice.username, "password": alice.password, "newPassword": new_password},
    )
    assert response.status_code == status
    assert "error" in response.json()
    assert (
        await client.post(
            f"{API}/login", json={"username": alice.username, "password": alice.password}
        )
    ).status_code == 200


async def test_password_change_with_wrong_old_password_is_401(client, users):
    alice = await users()
    response = await client.post(
        f"{API}/password",
        json={
            "username": alice.username,
            "password": "not-it-at-all",
            "newPassword": "whatever-new-1",
        },
    )
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}


class TestPasswordMaxAge:
    @pytest.fixture
    def settings_overrides(self):
        return {"password_max_age_days": 30}

    async def test_policy_sets_expiry_on_every_change(self, client, users):
        alice = await users()
        assert alice.user.password_expires_at is not None
        await client.post(
            f"{API}/password",
            json={
                "username": alice.username,
                "password": alice.password,
                "newPassword": "another-secret-9",
            },
        )
        tokens = await v1_login(client, type(alice)(user=alice.user, password="another-secret-9"))
        me = (await client.get(f"{API}/me", headers=bearer(tokens["token"]))).json()
        assert me["passwordExpiresAt"] is not None
        assert me["passwordExpiresAt"] > alice.user.password_expires_at.isoformat()[:19]
