"""Mass assignment (`isAdmin`, `id`, `createdAt`, ...) on create and update, and injection
strings in every other string field: ids in paths, filters, key names, header texts."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.factories import bearer, v1_create_key
from tests.security.harness import FEATHERS, Refusal, aim, feathers_refusal


@pytest.fixture
def settings_overrides():
    # Open sign-up: mass assignment must fail even for anyone who may create a user.
    return {"allow_registration": True}


def _unknown(field: str) -> Refusal:
    message = "unknown field"
    return feathers_refusal(400, f"Invalid request: {field}: {message}", {field: message})


NEW_USER = {"username": "mallory", "email": "mallory@example.com", "password": "correct-horse-42"}
CREATE_FIELDS = {
    "isAdmin": (True, feathers_refusal(403, "Only administrators can grant admin rights")),
    "is_admin": (True, _unknown("is_admin")),
    "admin": (True, _unknown("admin")),
    "id": ("00000000-0000-4000-8000-000000000000", _unknown("id")),
    "createdAt": ("2000-01-01T00:00:00.000Z", _unknown("createdAt")),
    "created_at": ("2000-01-01T00:00:00.000Z", _unknown("created_at")),
    "disabled": (False, _unknown("disabled")),
    "passwordHash": (
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        _unknown("passwordHash"),
    ),
    "password_expires_at": (None, _unknown("password_expires_at")),
}


@pytest.mark.parametrize("field", list(CREATE_FIELDS))
async def test_mass_assignment_on_sign_up_is_refused(field, client, db_unchanged):
    value, refusal = CREATE_FIELDS[field]
    async with db_unchanged():
        response = await client.post("/users", json={**NEW_USER, field: value})
    refusal.check(response)


UPDATE_FIELDS = {
    "isAdmin": (True, feathers_refusal(403, "Only administrators can change admin rights")),
    "is_admin": (True, _unknown("is_admin")),
    "id": ("00000000-0000-4000-8000-000000000000", _unknown("id")),
    "createdAt": ("2000-01-01T00:00:00.000Z", _unknown("createdAt")),
    "created_at": ("2000-01-01T00:00:00.000Z", _unknown("created_at")),
    "disabled": (False, _unknown("disabled")),
    "passwordHash": (
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        _unknown("passwordHash"),
    ),
}


@pytest.mark.parametrize("field", list(UPDATE_FIELDS))
async def test_mass_assignment_on_update_is_refused(field, client, users, db_unchanged):
    target = await aim(FEATHERS, client, users)
    value, refusal = UPDATE_FIELDS[field]
    async with db_unchanged():
        response = await client.patch(
            f"/users/{target.user.id}",
            json={"name": "Mallory", field: value},
            headers=bearer(target.tokens.access),
        )
    refusal.check(response)


OWNER_FIELDS = {
    "v1_key_with_user_id": (
        "/api/v1/auth/keys",
        "userId",
        Refusal(400, {"error": "Invalid request: userId: unknown field"}),
    ),
    "legacy_header_with_user_id": (
        "/authheader/add",
        "user_id",
        Refusal(400, {"message": "Invalid request: user_id: unknown field"}),
    ),
}


@pytest.mark.parametrize("case", list(OWNER_FIELDS))
async def test_api_key_for_another_owner_is_refused(case, client, users, db_unchanged):
    path, field, refusal = OWNER_FIELDS[case]
    target = await aim(FEATHERS, client, users)
    other = await users()
    async with db_unchanged():
        response = await client.post(
            path, json={"name": "k", field: other.id}, headers=bearer(target.tokens.access)
        )
    refusal.check(response)


INJECTIONS = ["' OR '1'='1", "%", "1; DELETE FROM api_key; --", "nul\x00byte"]


async def _admin_with_key(client, users):
    """An admin logged in through Feathers, with one API key and another user around."""
    target = await aim(FEATHERS, client, users)
    admin = await users(is_admin=True)
    token = (
        await client.post(
            "/authentication",
            json={"strategy": "local", "email": admin.email, "password": admin.password},
        )
    ).json()["accessToken"]
    await v1_create_key(client, token)
    return target, token


def _path_cases(value: str) -> dict[str, tuple[str, str, dict | None, Refusal]]:
    quoted = quote(value, safe="")
    return {
        "v1_delete_key_id": (
            "DELETE",
            f"/api/v1/auth/keys/{quoted}",
            None,
            Refusal(404, {"error": "API key not found"}),
        ),
        "v1_delete_session_id": (
            "DELETE",
            f"/api/v1/auth/sessions/{quoted}",
            None,
            Refusal(404, {"error": "Session not found"}),
        ),
        "legacy_delete_text": (
            "POST",
            "/authheader/delete",
            {"text": value},
            Refusal(404, {"message": "Auth header not found"}),
        ),
        "feathers_get_user_id": (
            "GET",
            f"/users/{quoted}",
            None,
            feathers_refusal(404, f"No record found for id '{value}'"),
        ),
        "feathers_remove_user_id": (
            "DELETE",
            f"/users/{quoted}",
            None,
            feathers_refusal(404, f"No record found for id '{value}'"),
        ),
    }


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("case", list(_path_cases("x")))
async def test_injection_strings_in_ids_find_nothing_and_delete_nothing(
    case, value, client, users, db_unchanged
):
    _, token = await _admin_with_key(client, users)
    method, path, body, refusal = _path_cases(value)[case]
    async with db_unchanged():
        response = await client.request(method, path, json=body, headers=bearer(token))
    refusal.check(response)


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("field", ["email", "username", "name"])
async def test_injection_strings_in_feathers_filters_match_nothing(
    field, value, client, users, db_unchanged
):
    _, token = await _admin_with_key(client, users)
    async with db_unchanged():
        response = await client.get("/users", params={field: value}, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json() == {"total": 0, "limit": 10, "skip": 0, "data": []}


@pytest.mark.parametrize("value", [v for v in INJECTIONS if "\x00" not in v])
async def test_injection_strings_as_names_are_stored_verbatim(value, client, users):
    target = await aim(FEATHERS, client, users)
    created = await client.post(
        "/api/v1/auth/keys", json={"name": value}, headers=bearer(target.tokens.access)
    )
    assert created.status_code == 201, created.text
    listed = await client.get("/api/v1/auth/keys", headers=bearer(target.tokens.access))
    assert [k["name"] for k in listed.json()] == [value]
    patched = await client.patch(
        f"/users/{target.user.id}", json={"name": value}, headers=bearer(target.tokens.access)
    )
    assert patched.status_code == 200 and patched.json()["name"] == value


# API.md §1: names and emails are unique after NFKC and case folding, so no look-alike
# second account can be made, by sign-up or by renaming.
_TAKEN = feathers_refusal(409, "Username already taken", {"username": "Username already taken"})
_EMAIL_TAKEN = feathers_refusal(
    409, "Email already registered", {"email": "Email already registered"}
)
LOOK_ALIKES = {
    "username_upper_case": ({"username": "ALICE"}, _TAKEN),
    "username_fullwidth_nfkc": ({"username": "\uff41lice"}, _TAKEN),
    "username_trailing_space": (
        {"username": "alice "},
        feathers_refusal(
            400,
            "username must not start or end with spaces",
            {"username": "username must not start or end with spaces"},
        ),
    ),
    "username_zero_width_space": (
        {"username": "alice\u200b"},
        feathers_refusal(
            400,
            "username contains control or invisible characters",
            {"username": "username contains control or invisible characters"},
        ),
    ),
    "email_upper_case": ({"email": "ALICE@EXAMPLE.COM"}, _EMAIL_TAKEN),
    "email_fullwidth_nfkc": ({"email": "\uff41lice@example.com"}, _EMAIL_TAKEN),
}


@pytest.mark.parametrize("case", list(LOOK_ALIKES))
async def test_look_alike_sign_up_is_refused(case, client, users, db_unchanged):
    await users(username="alice", email="alice@example.com")
    fields, refusal = LOOK_ALIKES[case]
    body = {"username": "someone", "email": "someone@example.com", "password": "correct-horse-42"}
    async with db_unchanged():
        response = await client.post("/users", json={**body, **fields})
    refusal.check(response)


@pytest.mark.parametrize(
    "case", ["username_upper_case", "username_fullwidth_nfkc", "email_upper_case"]
)
async def test_look_alike_rename_is_refused(case, client, users, db_unchanged):
    await users(username="alice", email="alice@example.com")
    target = await aim(FEATHERS, client, users)
    fields, refusal = LOOK_ALIKES[case]
    async with db_unchanged():
        response = await client.patch(
            f"/users/{target.user.id}", json=fields, headers=bearer(target.tokens.access)
        )
    refusal.check(response)


_NUL = "control\x00character"
_CONTROL = "must not contain control characters"
STORED_FIELDS = {
    "v1_key_name": (
        "POST",
        "/api/v1/auth/keys",
        {"name": _NUL},
        Refusal(400, {"error": f"name {_CONTROL}"}),
    ),
    "legacy_header_name": (
        "POST",
        "/authheader/add",
        {"name": _NUL},
        Refusal(400, {"message": f"name {_CONTROL}"}),
    ),
    "feathers_profile_name": (
        "PATCH",
        "/users/{id}",
        {"name": _NUL},
        feathers_refusal(400, f"name {_CONTROL}", {"name": f"name {_CONTROL}"}),
    ),
    "feathers_first_name": (
        "PATCH",
        "/users/{id}",
        {"firstName": _NUL},
        feathers_refusal(400, f"first_name {_CONTROL}", {"firstName": f"first_name {_CONTROL}"}),
    ),
    "feathers_avatar": (
        "PATCH",
        "/users/{id}",
        {"avatar": "https://x.example/\x00.png"},
        feathers_refusal(400, f"avatar {_CONTROL}", {"avatar": f"avatar {_CONTROL}"}),
    ),
}


@pytest.mark.parametrize("case", list(STORED_FIELDS))
async def test_nul_and_control_characters_in_stored_text_are_refused(
    case, client, users, db_unchanged
):
    target = await aim(FEATHERS, client, users)
    method, path, body, refusal = STORED_FIELDS[case]
    async with db_unchanged():
        response = await client.request(
            method,
            path.format(id=target.user.id),
            json=body,
            headers=bearer(target.tokens.access),
        )
    refusal.check(response)
