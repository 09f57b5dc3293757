"""Regressions for what the schemathesis fuzz (tests/fuzz, docs/fuzzing.md) found."""

from __future__ import annotations

import asyncio

import pytest

from tests.factories import v1_login


async def test_concurrent_logouts_of_one_session_are_200_or_401(client, users):
    # Found by the fuzz: a logout racing another for the same session answered 404
    # "Session not found", a status /api/v1/auth/logout does not document.
    made = await users()
    token = (await v1_login(client, made))["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200

    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/logout", headers=headers) for _ in range(6))
    )

    # PostgreSQL may let several end the session together (READ COMMITTED); never a 404.
    statuses = sorted(a.status_code for a in answers)
    assert 200 in statuses, statuses
    assert set(statuses) <= {200, 401}, statuses
    for answer in answers:
        if answer.status_code == 401:
            assert answer.json() == {"error": "Authentication required"}


@pytest.mark.parametrize(
    "params",
    [
        {"$limit": "²"},
        {"$skip": "³"},
        {"$select[²]": "email"},
        {"$limit": "١٢"},
        {"$select[" + "9" * 4400 + "]": "email"},
    ],
)
async def test_feathers_find_refuses_numbers_int_cannot_read_with_400(client, users, params):
    # str.isdigit() is true for "²", which int() refuses, and int() refuses more than
    # 4,300 digits: these were 500s.
    admin = await users(is_admin=True)
    token = (await v1_login(client, admin))["token"]
    response = await client.get(
        "/users", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["name"] == "BadRequest"


NUL_PROBES = [
    (
        "POST",
        "/api/v1/auth/login",
        {"json": {"username": "a\x00b", "password": "x"}},
        401,
        {"error": "Invalid credentials"},
    ),
    (
        "POST",
        "/auth/login",
        {"data": {"username": "a\x00b", "password": "x"}},
        401,
        {"detail": "Incorrect username or password"},
    ),
    (
        "POST",
        "/authentication",
        {"json": {"strategy": "local", "email": "a\x00b", "password": "x"}},
        401,
        {"message": "Invalid login"},
    ),
    (
        "POST",
        "/oauth/token",
        {"data": {"grant_type": "password", "username": "a\x00b", "password": "x"}},
        400,
        {"error": "invalid_grant"},
    ),
    ("GET", "/users", {"params": {"email": "a\x00b"}}, 200, {"total": 0, "data": []}),
    ("DELETE", "/users/a%00b", {}, 404, {"name": "NotFound"}),
    ("DELETE", "/api/v1/auth/keys/a%00b", {}, 404, {"error": "API key not found"}),
    (
        "POST",
        "/api/v1/auth/keys",
        {"json": {"name": "a\x00b"}},
        400,
        {"error": "name must not contain control characters"},
    ),
    ("POST", "/authheader/delete", {"json": {"text": "a\x00b"}}, 404, {}),
]


@pytest.mark.parametrize(("method", "path", "options", "status", "fields"), NUL_PROBES)
async def test_a_nul_character_is_an_ordinary_answer_on_every_backend(
    client, users, method, path, options, status, fields
):
    # Found by the fuzz (and the attack suite) on PostgreSQL, which cannot hold U+0000 in
    # text: every lookup or insert with one was a 500 (SQLite just found nothing). Now a
    # value with NUL is one that exists nowhere, and a name with one is refused.
    admin = await users(is_admin=True)
    bearer = {"Authorization": f"Bearer {(await v1_login(client, admin))['token']}"}
    headers = {} if path.startswith("/oauth/") else bearer
    response = await client.request(method, path, headers=headers, **options)
    assert response.status_code == status, response.text
    body = response.json()
    assert {name: body.get(name) for name in fields} == fields
    assert (await client.get("/api/v1/auth/keys", headers=bearer)).json() == []
