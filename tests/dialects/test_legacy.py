"""D3 "legacy" (seed 002): /user/login, /user/password and /authheader/* over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import bearer, legacy_login, v1_login

LOGIN_KEYS = {
    "Id",
    "Created",
    "Username",
    "Email",
    "Firstname",
    "Lastname",
    "Token",
    "PasswordExpiration",
}


def parse_z(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_login_answers_the_seed_body(client, users):
    alice = await users(first_name="Alice", last_name="Liddell")
    body = await legacy_login(client, alice)
    assert set(body) == LOGIN_KEYS
    assert body["Id"] == alice.id
    assert body["Username"] == alice.username
    assert body["Email"] == alice.email
    assert (body["Firstname"], body["Lastname"]) == ("Alice", "Liddell")
    assert body["PasswordExpiration"] is None
    assert abs(parse_z(body["Created"]) - alice.user.created_at) < timedelta(seconds=1)
    me = await client.get("/api/v1/auth/me", headers=bearer(body["Token"]))
    assert me.json()["id"] == alice.id


async def test_login_accepts_the_email_in_place_of_the_username(client, users):
    alice = await users()
    response = await client.post(
        "/user/login", json={"username": alice.email.upper(), "password": alice.password}
    )
    assert response.status_code == 200
    assert response.json()["Id"] == alice.id


@pytest.mark.parametrize("settings_overrides", [{"password_max_age_days": 30}])
async def test_login_shows_when_the_password_expires(client, users):
    alice = await users()
    body = await legacy_login(client, alice)
    expires = parse_z(body["PasswordExpiration"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=1)


async def test_wrong_password_and_unknown_user_get_the_same_401(client, users):
    alice = await users()
    wrong = await client.post("/user/login", json={"username": alice.username, "password": "nope"})
    ghost = await client.post("/user/login", json={"username": "ghost", "password": "nope"})
    for response in (wrong, ghost):
        assert response.status_code == 401
        assert response.json() == {"message": "Incorrect credentials"}


async def test_expired_password_is_403_with_no_token(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        "/user/login", json={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 403
    assert response.json() == {"message": "Password expired"}


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"username": "a"}, "password"),
        ({"password": "a"}, "username"),
        ({"username": 1, "password": "x"}, "username"),
        ({"username": "a", "password": "x", "is_admin": True}, "is_admin"),
        ({"username": "a", "password": "p" * 1025}, "password"),
        ([], "body"),
    ],
)
async def test_bad_login_bodies_are_400_messages(client, body, mentions):
    response = await client.post("/user/login", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert mentions in response.json()["message"]


async def test_malformed_json_is_a_400_message(client):
    response = await client.post(
        "/user/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message"}


# /authheader/*: the core's API keys under the seed's names.


@pytest.mark.parametrize("scheme", ["", "Bearer ", "bearer "])
async def test_authheader_add_takes_the_token_bare_or_with_bearer(client, users, scheme):
    alice = await users()
    token = (await legacy_login(client, alice))["Token"]
    response = await client.post(
        "/authheader/add",
        json={"name": "production-api-key"},
        headers={"Authorization": scheme + token},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id", "name", "token", "created"}
    assert body["id"].startswith("key_")
    assert body["name"] == "production-api-key"
    assert body["token"].startswith("sk_live_")
    assert len(body["token"]) == len("sk_live_") + 32
    parse_z(body["created"])
    # The full token authenticates as its owner.
    me = await client.get("/api/v1/auth/me", headers={"X-API-Key": body["token"]})
    assert me.json()["id"] == alice.id


async def test_authheader_list_masks_the_token(client, users):
    alice = await users()
    token = (await legacy_login(client, alice))["Token"]
    made = (
        await client.post("/authheader/add", json={"name": "ci"}, headers={"Authorization": token})
    ).json()
    listed = await client.get("/authheader/list", headers={"Authorization": token})
    assert listed.status_code == 200
    assert listed.json() == [
        {
            "id": made["id"],
            "name": "ci",
            "token": "sk_live_…" + made["token"][-4:],
            "created": made["created"],
        }
    ]
    assert made["token"] not in listed.text


async def test_auth_headers_and_v1_api_keys_are_one_store(client, users):
    alice = await users()
    legacy_token = (await legacy_login(client, alice))["Token"]
    v1_token = (await v1_login(client, alice))["token"]
    from_legacy = await client.post(
        "/authheader/add", json={"name": "made-in-legacy"}, headers={"Authorization": legacy_token}
    )
    from_v1 = await client.post(
        "/api/v1/auth/keys", json={"name": "made-in-v1"}, headers=bearer(v1_token)
    )
    v1_ids = {
        k["keyId"] for k in (await client.get("/api/v1/auth/keys", headers=bearer(v1_token))).json()
    }
    legacy_ids = {
        k["id"]
        for k in (
            await client.get("/authheader/list", headers={"Authorization": legacy_token})
        ).json()
    }
    assert v1_ids == legacy_ids == {from_legacy.json()["id"], from_v1.json()["keyId"]}


@pytest.mark.parametrize("by", ["token", "id"])
async def test_authheader_delete_by_full_token_or_id(client, users, by):
    alice = await users()
    token = (await legacy_login(client, alice))["Token"]
    made = (
        await client.post("/authheader/add", json={"name": "ci"}, headers={"Authorization": token})
    ).json()
    response = await client.post(
        "/authheader/delete", json={"text": made[by]}, headers={"Authorization": token}
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Success"}
    assert (await client.get("/authheader/list", headers={"Authorization": token})).json() == []
    refused = await client.get("/api/v1/auth/me", headers={"X-API-Key": made["token"]})
    assert refused.status_code == 401


async def test_authheader_delete_of_unknown_or_foreign_key_is_404(client, users):
    alice, bob = await users(), await users()
    alice_token = (await legacy_login(client, alice))["Token"]
    bob_token = (await legacy_login(client, bob))["Token"]
    bobs = (
        await client.post(
            "/authheader/add", json={"name": "b"}, headers={"Authorization": bob_token}
        )
    ).json()
    for text in (bobs["id"], bobs["token"], "key_aaaaaaaaaaaa", "sk_live_" + "x" * 32, "anything"):
        response = await client.post(
            "/authheader/delete", json={"text": text}, headers={"Authorization": alice_token}
        )
        assert response.status_code == 404
        assert response.json() == {"message": "Auth header not found"}
    still = await client.get("/authheader/list", headers={"Authorization": bob_token})
    assert [k["id"] for k in still.json()] == [bobs["id"]]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "garbage"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/authheader/add", {"name": "x"}),
        ("GET", "/authheader/list", None),
        ("POST", "/authheader/delete", {"text": "key_aaaaaaaaaaaa"}),
    ],
)
async def test_authheader_needs_a_valid_token(client, headers, method, path, body):
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication required"}


async def test_authheader_refuses_a_token_after_logout(client, users):
    alice = await users()
    tokens = await v1_login(client, alice)
    await client.post("/api/v1/auth/logout", headers=bearer(tokens["token"]))
    response = await client.get("/authheader/list", headers={"Authorization": tokens["token"]})
    assert response.status_code == 401


async def test_an_auth_header_cannot_manage_auth_headers(client, users):
    alice = await users()
    token = (await legacy_login(client, alice))["Token"]
    key = (
        await client.post("/authheader/add", json={"name": "ci"}, headers={"Authorization": token})
    ).json()
    response = await client.post(
        "/authheader/add", json={"name": "escalate"}, headers={"Authorization": key["token"]}
    )
    assert response.status_code == 403
    assert set(response.json()) == {"message"}


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "x", "owner": "y"}]
)
async def test_authheader_add_refuses_bad_names(client, users, body):
    alice = await users()
    token = (await legacy_login(client, alice))["Token"]
    response = await client.post("/authheader/add", json=body, headers={"Authorization": token})
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert (await client.get("/authheader/list", headers={"Authorization": token})).json() == []


async def test_unknown_legacy_path_answers_in_the_legacy_shape(client):
    response = await client.get("/authheader/nope")
    assert response.status_code == 404
    assert set(response.json()) == {"message"}
