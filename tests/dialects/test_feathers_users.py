"""D1 "feathers" /users: a Feathers REST service with authgate's roles and password rules."""

from __future__ import annotations

import pytest

from tests.factories import bearer

USER_KEYS = {"id", "email", "username", "name", "avatar", "createdAt", "updatedAt"}


async def token_for(client, made):
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": made.email, "password": made.password},
    )
    assert response.status_code == 201, response.text
    return response.json()["accessToken"]


def assert_error(response, status, name):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["name"] == name
    assert body["code"] == status
    return body


async def test_non_admin_finds_only_themselves(client, users):
    alice = await users()
    await users()
    token = await token_for(client, alice)
    response = await client.get("/users", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert [u["id"] for u in body["data"]] == [alice.id]
    assert set(body["data"][0]) == USER_KEYS


async def test_admin_finds_with_limit_skip_sort_select(client, users):
    admin = await users(username="admin", email="admin@example.com", is_admin=True)
    for name in ("dave", "erin", "frank"):
        await users(username=name, email=f"{name}@example.com")
    token = await token_for(client, admin)
    response = await client.get(
        "/users",
        params={"$limit": "2", "$skip": "1", "$sort[username]": "-1", "$select[]": "username"},
        headers=bearer(token),
    )
    body = response.json()
    assert body["total"] == 4
    assert (body["limit"], body["skip"]) == (2, 1)
    assert body["data"] == [
        {"id": body["data"][0]["id"], "username": "erin"},
        {"id": body["data"][1]["id"], "username": "dave"},
    ]


async def test_email_filter_is_case_insensitive(client, users):
    admin = await users(is_admin=True)
    bob = await users(email="Bob@Example.com")
    token = await token_for(client, admin)
    response = await client.get(
        "/users", params={"email": "bob@example.com"}, headers=bearer(token)
    )
    assert [u["id"] for u in response.json()["data"]] == [bob.id]


@pytest.mark.parametrize(
    "params",
    [
        {"$regex": "x"},
        {"password": "x"},
        {"password_hash": "x"},
        {"isAdmin": "true"},
        {"email[$ne]": "x"},
        {"name[$in][]": "x"},
        {"$limit": "abc"},
        {"$skip": "-1"},
        {"$sort[password]": "1"},
        {"$sort[email]": "up"},
        {"$select[]": "password"},
        {"createdAt": "2020"},
    ],
)
async def test_unknown_or_unsafe_queries_are_bad_requests(client, users, params):
    alice = await users(is_admin=True)
    token = await token_for(client, alice)
    response = await client.get("/users", params=params, headers=bearer(token))
    assert_error(response, 400, "BadRequest")


async def test_limit_is_capped_at_100(client, users):
    alice = await users()
    token = await token_for(client, alice)
    response = await client.get("/users", params={"$limit": "1000"}, headers=bearer(token))
    assert response.json()["limit"] == 100


async def test_get_another_user_is_not_found_for_non_admins(client, users):
    alice, bob = await users(), await users()
    token = await token_for(client, alice)
    response = await client.get(f"/users/{bob.id}", headers=bearer(token))
    body = assert_error(response, 404, "NotFound")
    assert body["message"] == f"No record found for id '{bob.id}'"
    assert (await client.get(f"/users/{alice.id}", headers=bearer(token))).status_code == 200


async def test_create_is_admin_only_when_registration_is_closed(client, users):
    alice = await users()
    data = {"username": "newbie", "email": "newbie@example.com", "password": "A-long-pass-99"}
    assert_error(await client.post("/users", json=data), 401, "NotAuthenticated")
    token = await token_for(client, alice)
    assert_error(await client.post("/users", json=data, headers=bearer(token)), 403, "Forbidden")
    admin = await users(is_admin=True)
    created = await client.post("/users", json=data, headers=bearer(await token_for(client, admin)))
    assert created.status_code == 201
    assert set(created.json()) == USER_KEYS


async def test_create_refuses_taken_email_with_conflict(client, users):
    admin = await users(is_admin=True)
    token = await token_for(client, admin)
    data = {"username": "other", "email": admin.email.upper(), "password": "A-long-pass-99"}
    body = assert_error(
        await client.post("/users", json=data, headers=bearer(token)), 409, "Conflict"
    )
    assert "email" in body["errors"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "x", "email": "x@example.com"}, "password"),
        ({"username": "x", "email": "not-an-email", "password": "A-long-pass-99"}, "email"),
        ({"username": "x", "email": "x@example.com", "password": "short"}, "password"),
        (
            {"username": "x", "email": "x@example.com", "password": "A-long-pass-99", "role": "x"},
            "role",
        ),
        ({"username": "x", "email": "x@example.com", "password": 12345678}, "password"),
        (
            {
                "username": "x",
                "email": "x@example.com",
                "password": "A-long-pass-99",
                "name": "n" * 300,
            },
            "name",
        ),
    ],
)
async def test_create_validation_errors_name_the_field(client, users, data, field):
    admin = await users(is_admin=True)
    token = await token_for(client, admin)
    response = await client.post("/users", json=data, headers=bearer(token))
    body = assert_error(response, 400, "BadRequest")
    assert field in body["errors"]


async def test_passwords_and_hashes_never_leave_the_server(client, users):
    admin = await users(is_admin=True)
    token = await token_for(client, admin)
    data = {"username": "newbie", "email": "newbie@example.com", "password": "A-long-pass-99"}
    created = await client.post("/users", json=data, headers=bearer(token))
    listed = await client.get("/users", headers=bearer(token))
    for text in (created.text, listed.text):
        assert "password" not in text.lower()
        assert "argon2" not in text


class TestOpenRegistration:
    @pytest.fixture
    def settings_overrides(self):
        return {"allow_registration": True}

    async def test_anyone_can_register_but_not_as_admin(self, client):
        data = {"username": "newbie", "email": "newbie@example.com", "password": "A-long-pass-99"}
        assert (await client.post("/users", json=data)).status_code == 201
        sneaky = {**data, "username": "sneaky", "email": "s@example.com", "isAdmin": True}
        assert_error(await client.post("/users", json=sneaky), 403, "Forbidden")
        login = await client.post(
            "/authentication",
            json={"strategy": "local", "email": "newbie@example.com", "password": "A-long-pass-99"},
        )
        assert login.status_code == 201


async def test_patch_own_profile(client, users):
    alice = await users()
    token = await token_for(client, alice)
    response = await client.patch(
        f"/users/{alice.id}",
        json={"name": "Alice A.", "avatar": "https://x/a.png"},
        headers=bearer(token),
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Alice A."


async def test_non_admin_cannot_make_themselves_admin(client, users):
    alice = await users()
    token = await token_for(client, alice)
    response = await client.patch(
        f"/users/{alice.id}", json={"isAdmin": True}, headers=bearer(token)
    )
    assert_error(response, 403, "Forbidden")


async def test_own_password_change_needs_the_current_one_and_ends_other_sessions(client, users):
    alice = await users()
    token = await token_for(client, alice)
    other = await token_for(client, alice)
    missing = await client.patch(
        f"/users/{alice.id}", json={"password": "Brand-new-pass-1"}, headers=bearer(token)
    )
    assert "currentPassword" in assert_error(missing, 400, "BadRequest")["errors"]
    wrong = await client.patch(
        f"/users/{alice.id}",
        json={"password": "Brand-new-pass-1", "currentPassword": "not-it-at-all", "name": "X"},
        headers=bearer(token),
    )
    assert "currentPassword" in assert_error(wrong, 400, "BadRequest")["errors"]
    ok = await client.patch(
        f"/users/{alice.id}",
        json={"password": "Brand-new-pass-1", "currentPassword": alice.password},
        headers=bearer(token),
    )
    assert ok.status_code == 200
    assert ok.json()["name"] is None  # the refused patch wrote nothing
    assert (await client.get("/users", headers=bearer(token))).status_code == 200
    assert (await client.get("/users", headers=bearer(other))).status_code == 401
    login = await client.post(
        "/authentication",
        json={"strategy": "local", "email": alice.email, "password": "Brand-new-pass-1"},
    )
    assert login.status_code == 201


async def test_admin_sets_another_password_and_their_sessions_end(client, users):
    admin, bob = await users(is_admin=True), await users()
    bob_token = await token_for(client, bob)
    token = await token_for(client, admin)
    response = await client.patch(
        f"/users/{bob.id}", json={"password": "Set-by-admin-77"}, headers=bearer(token)
    )
    assert response.status_code == 200
    assert (await client.get("/users", headers=bearer(bob_token))).status_code == 401


async def test_patch_to_a_taken_username_is_a_conflict(client, users):
    alice, bob = await users(), await users()
    token = await token_for(client, alice)
    response = await client.patch(
        f"/users/{alice.id}", json={"username": bob.username.upper()}, headers=bearer(token)
    )
    assert "username" in assert_error(response, 409, "Conflict")["errors"]


async def test_remove_self_or_as_admin(client, users):
    alice, bob = await users(), await users()
    token = await token_for(client, alice)
    assert_error(await client.delete(f"/users/{bob.id}", headers=bearer(token)), 404, "NotFound")
    removed = await client.delete(f"/users/{alice.id}", headers=bearer(token))
    assert removed.status_code == 200
    assert removed.json()["id"] == alice.id
    assert (await client.get("/users", headers=bearer(token))).status_code == 401
    admin = await users(is_admin=True)
    admin_token = await token_for(client, admin)
    assert (await client.delete(f"/users/{bob.id}", headers=bearer(admin_token))).status_code == 200
    assert_error(await client.get(f"/users/{bob.id}", headers=bearer(admin_token)), 404, "NotFound")


async def test_update_is_method_not_allowed(client, users):
    alice = await users()
    token = await token_for(client, alice)
    response = await client.put(f"/users/{alice.id}", json={}, headers=bearer(token))
    assert_error(response, 405, "MethodNotAllowed")
