"""D4 "form" (seed 003): /auth login, refresh, logout, me and password over HTTP."""

from __future__ import annotations

import importlib

import httpx
import pytest

from tests.factories import bearer, form_login

TOKEN_KEYS = {"access_token", "token_type", "expires_in", "refresh_token"}
INCORRECT = {"detail": "Incorrect username or password"}


async def test_login_with_a_plain_form_post_as_the_seed_shows(client, users):
    # The seed's `curl -d "username=..." -d "password=..."`: a urlencoded form.
    alice = await users()
    response = await client.post(
        "/auth/login", data={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 200, response.text
    assert response.request.headers["content-type"] == "application/x-www-form-urlencoded"
    body = response.json()
    assert set(body) == TOKEN_KEYS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    me = await client.get("/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == alice.id


async def test_login_with_json(client, users):
    alice = await users()
    response = await client.post(
        "/auth/login", json={"username": alice.email, "password": alice.password}
    )
    assert response.status_code == 200
    assert set(response.json()) == TOKEN_KEYS


async def test_login_takes_what_an_oauth2_password_form_client_sends(client, users):
    # FastAPI's OAuth2PasswordRequestForm clients (and Swagger UI's Authorize) add these.
    alice = await users()
    form = {
        "grant_type": "password",
        "username": alice.username,
        "password": alice.password,
        "scope": "",
        "client_id": "swagger",
        "client_secret": "",
    }
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 200, response.text


async def test_login_with_authlib_oauth2_client(app, users):
    # A real OAuth2 client library: its password grant is a form post /auth/login accepts.
    try:
        oauth = importlib.import_module("authlib.integrations.httpx_client")
    except ImportError:
        pytest.skip("authlib is not installed")
    alice = await users()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with oauth.AsyncOAuth2Client(
        client_id="cli", transport=transport, base_url="http://testserver"
    ) as session:
        token = await session.fetch_token(
            "http://testserver/auth/login", username=alice.username, password=alice.password
        )
        assert token["token_type"] == "bearer"
        me = await session.get("/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == alice.username


async def test_wrong_password_and_unknown_user_are_401_with_www_authenticate(client, users):
    alice = await users()
    for username in (alice.username, "ghost"):
        response = await client.post("/auth/login", data={"username": username, "password": "no"})
        assert response.status_code == 401
        assert response.json() == INCORRECT
        assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_password_is_403_with_no_token(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        "/auth/login", data={"username": alice.username, "password": alice.password}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Password expired"}


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"data": {"username": "a"}}, ["password"]),
        ({"data": {"password": "a"}}, ["username"]),
        ({"data": {}}, ["username", "password"]),
        ({"json": {"username": "a"}}, ["password"]),
        ({}, ["username", "password"]),
    ],
)
async def test_missing_fields_are_fastapi_style_422(client, kwargs, missing):
    response = await client.post("/auth/login", **kwargs)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [item["loc"] for item in detail] == [["body", name] for name in missing]
    assert {item["type"] for item in detail} == {"missing"}
    assert all(item["msg"] for item in detail)


@pytest.mark.parametrize(
    ("kwargs", "loc"),
    [
        ({"json": {"username": 1, "password": "x"}}, ["body", "username"]),
        ({"json": ["username", "password"]}, ["body"]),
        (
            {"data": {"username": "a", "password": "x", "grant_type": "client_credentials"}},
            ["body", "grant_type"],
        ),
        ({"data": {"username": "", "password": "x"}}, ["body", "username"]),
        ({"data": {"username": "a", "password": "p" * 1025}}, ["body", "password"]),
        ({"content": b"{nope", "headers": {"content-type": "application/json"}}, ["body", 0]),
    ],
)
async def test_invalid_input_is_422_and_never_echoes_it(client, kwargs, loc):
    response = await client.post("/auth/login", **kwargs)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == loc
    assert all("input" not in item for item in detail)
    assert "p" * 1025 not in response.text


async def test_a_body_neither_form_nor_json_is_415(client):
    response = await client.post(
        "/auth/login", content=b"username=a", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}


async def test_an_uploaded_file_is_refused_with_400(client):
    response = await client.post(
        "/auth/login", data={"username": "a"}, files={"password": ("p.txt", b"secret")}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


async def test_too_large_a_body_is_413(client):
    response = await client.post("/auth/login", data={"username": "a", "password": "x" * 70_000})
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}


@pytest.mark.parametrize("encoding", ["data", "json"])
async def test_refresh_rotates_the_refresh_token(client, users, encoding):
    alice = await users()
    first = await form_login(client, alice)
    response = await client.post(
        "/auth/refresh", **{encoding: {"refresh_token": first["refresh_token"]}}
    )
    assert response.status_code == 200, response.text
    second = response.json()
    assert set(second) == TOKEN_KEYS
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get("/auth/me", headers=bearer(second["access_token"]))).status_code == 200
    # The old one is dead; presenting it again ends the session (reuse detection).
    reused = await client.post("/auth/refresh", data={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.json() == {"detail": "Invalid or expired refresh token"}
    again = await client.post("/auth/refresh", data={"refresh_token": second["refresh_token"]})
    assert again.status_code == 401


async def test_refresh_needs_a_refresh_token(client):
    missing = await client.post("/auth/refresh", data={})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "refresh_token"]
    unknown = await client.post("/auth/refresh", data={"refresh_token": "nope"})
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"] == "Bearer"


async def test_logout_kills_the_access_and_refresh_token(client, users):
    alice = await users()
    tokens = await form_login(client, alice)
    response = await client.post("/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}
    me = await client.get("/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert me.json() == {"detail": "Could not validate credentials"}
    refreshed = await client.post("/auth/refresh", data={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


async def test_me_answers_the_user_without_secrets(client, users):
    alice = await users(name="Alice L", first_name="Alice")
    tokens = await form_login(client, alice)
    body = (await client.get("/auth/me", headers=bearer(tokens["access_token"]))).json()
    assert body["id"] == alice.id
    assert body["username"] == alice.username
    assert body["email"] == alice.email
    assert body["full_name"] == "Alice L"
    assert body["disabled"] is False
    assert body["created_at"].endswith("Z")
    assert body["password_expires_at"] is None
    assert not any("password_hash" in key or "hash" in key for key in body)


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Not authenticated"),
        ({"Authorization": "Bearer not-a-jwt"}, "Could not validate credentials"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Not authenticated"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/auth/me"), ("POST", "/auth/logout")])
async def test_me_and_logout_need_a_bearer_token(client, headers, detail, method, path):
    response = await client.request(method, path, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("settings_overrides", [{"dialects": ["form"]}])
async def test_openapi_documents_both_body_types_and_the_password_flow(client):
    document = (await client.get("/openapi.json")).json()
    content = document["paths"]["/auth/login"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/x-www-form-urlencoded", "application/json"}
    flows = [s["flows"] for s in document["components"]["securitySchemes"].values() if "flows" in s]
    assert {"password": {"scopes": {}, "tokenUrl": "/auth/login"}} in flows


async def test_unknown_form_path_answers_in_the_form_shape(client):
    response = await client.get("/auth/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
