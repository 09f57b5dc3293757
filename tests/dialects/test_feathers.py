"""D1 "feathers": /authentication and /users over HTTP, in Feathers' own shapes (seed 000)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.factories import bearer

NOT_AUTH = {"name": "NotAuthenticated", "code": 401, "className": "not-authenticated"}
USER_KEYS = {"id", "email", "username", "name", "avatar", "createdAt", "updatedAt"}
SECRET = "test-secret-" + "x" * 40


def feathers_error(body, name, code, class_name, message=None):
    assert body["name"] == name
    assert body["code"] == code
    assert body["className"] == class_name
    assert isinstance(body["errors"], dict)
    if message is not None:
        assert body["message"] == message


async def login(client, made):
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": made.email, "password": made.password},
    )
    assert response.status_code == 201, response.text
    return response.json()


def jwt_header(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


# --- /authentication -------------------------------------------------------------------


async def test_local_login_returns_token_authentication_and_user(client, users):
    alice = await users(name="Alice", avatar="https://example.com/a.png")
    body = await login(client, alice)
    assert set(body) == {"accessToken", "authentication", "user"}
    assert body["authentication"]["strategy"] == "local"
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["id"] == alice.id
    assert body["user"]["name"] == "Alice"
    assert body["user"]["createdAt"].endswith("Z")
    header = jwt_header(body["accessToken"])
    # Feathers' header exactly; authgate may add `kid` for key rotation (API.md §1).
    assert {k: header[k] for k in ("alg", "typ")} == {"alg": "HS256", "typ": "access"}
    assert set(header) <= {"alg", "typ", "kid"}
    payload = body["authentication"]["payload"]
    assert {"iss", "aud", "sub", "sid", "jti", "iat", "exp"} <= set(payload)
    assert payload["sub"] == alice.id


async def test_login_by_username_also_works(client, users):
    alice = await users()
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": alice.username, "password": alice.password},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Invalid authentication information (no `strategy` set)"),
        ({"strategy": ""}, "Invalid authentication information (no `strategy` set)"),
        (
            {"strategy": "github"},
            "Invalid authentication information (strategy not allowed in authStrategies)",
        ),
        ({"strategy": "local", "email": "x@example.com"}, "Invalid login"),
        ({"strategy": "local", "password": "whatever-123"}, "Invalid login"),
        ({"strategy": "local", "email": 5, "password": "whatever-123"}, "Invalid login"),
        ({"strategy": "jwt"}, "No access token"),
        ({"strategy": "jwt", "accessToken": "garbage"}, "jwt malformed"),
        ({"strategy": "jwt", "accessToken": "a.b.c"}, "invalid token"),
    ],
)
async def test_refused_authentication_is_a_feathers_not_authenticated(client, data, message):
    response = await client.post("/authentication", json=data)
    assert response.status_code == 401
    feathers_error(response.json(), "NotAuthenticated", 401, "not-authenticated", message)


async def test_wrong_password_and_unknown_email_answer_alike(client, users):
    alice = await users()
    wrong = await client.post(
        "/authentication", json={"strategy": "local", "email": alice.email, "password": "nope-nope"}
    )
    unknown = await client.post(
        "/authentication",
        json={"strategy": "local", "email": "ghost@example.com", "password": "nope-nope"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            **NOT_AUTH,
            "message": "Invalid login",
            "errors": {},
        }
    )


async def test_jwt_strategy_returns_the_same_token_and_user(client, users):
    alice = await users()
    token = (await login(client, alice))["accessToken"]
    response = await client.post("/authentication", json={"strategy": "jwt", "accessToken": token})
    assert response.status_code == 201
    body = response.json()
    assert body["accessToken"] == token
    assert body["authentication"]["strategy"] == "jwt"
    assert body["authentication"]["accessToken"] == token
    assert body["user"]["id"] == alice.id


def forged(claims, secret=SECRET):
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "access"})


def claims_for(user_id, *, expires_in):
    now = datetime.now(UTC)
    return {
        "iss": "http://testserver",
        "aud": "authgate",
        "sub": user_id,
        "sid": "no-such-session",
        "jti": "j",
        "iat": int((now - timedelta(hours=2)).timestamp()),
        "exp": int((now + timedelta(seconds=expires_in)).timestamp()),
    }


async def test_expired_token_says_jwt_expired(client, users):
    alice = await users()
    token = forged(claims_for(alice.id, expires_in=-3600))
    response = await client.post("/authentication", json={"strategy": "jwt", "accessToken": token})
    assert response.status_code == 401
    assert response.json() == {**NOT_AUTH, "message": "jwt expired", "errors": {}}


async def test_badly_signed_token_says_invalid_signature(client, users):
    alice = await users()
    token = forged(claims_for(alice.id, expires_in=600), secret="another-secret-" + "y" * 40)
    response = await client.get("/users", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["message"] == "invalid signature"


async def test_delete_authentication_ends_the_session(client, users):
    alice = await users()
    token = (await login(client, alice))["accessToken"]
    response = await client.delete("/authentication", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["accessToken"] == token
    assert body["authentication"]["strategy"] == "jwt"
    assert body["user"]["id"] == alice.id
    after = await client.get("/users", headers=bearer(token))
    assert after.status_code == 401
    assert after.json()["name"] == "NotAuthenticated"
    again = await client.post("/authentication", json={"strategy": "jwt", "accessToken": token})
    assert again.status_code == 401


async def test_delete_authentication_without_a_token(client):
    response = await client.delete("/authentication")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid authentication information (no `strategy` set)"


async def test_delete_authentication_with_another_id_is_refused(client, users):
    alice = await users()
    token = (await login(client, alice))["accessToken"]
    response = await client.delete("/authentication/other", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid access token"
    assert (await client.get("/users", headers=bearer(token))).status_code == 200


async def test_expired_password_is_forbidden(client, users, services):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await client.post(
        "/authentication",
        json={"strategy": "local", "email": alice.email, "password": alice.password},
    )
    assert response.status_code == 403
    feathers_error(response.json(), "Forbidden", 403, "forbidden", "Password expired")


async def test_malformed_json_is_a_bad_request(client):
    response = await client.post(
        "/authentication", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    feathers_error(response.json(), "BadRequest", 400, "bad-request")


async def test_unsupported_method_is_method_not_allowed(client):
    response = await client.put("/authentication", json={})
    assert response.status_code == 405
    feathers_error(
        response.json(),
        "MethodNotAllowed",
        405,
        "method-not-allowed",
        "Method `update` is not supported by this endpoint.",
    )


async def test_throttled_login_is_too_many_requests(client, users):
    alice = await users()
    for _ in range(10):
        response = await client.post(
            "/authentication",
            json={"strategy": "local", "email": alice.email, "password": "wrong-wrong"},
        )
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    feathers_error(response.json(), "TooManyRequests", 429, "too-many-requests")


async def test_missing_token_on_users_is_not_authenticated(client):
    response = await client.get("/users")
    assert response.status_code == 401
    assert response.json() == {**NOT_AUTH, "message": "Not authenticated", "errors": {}}


@pytest.mark.parametrize(
    ("method", "path", "service_method"),
    [("GET", "/authentication", "find"), ("PUT", "/users/x", "update")],
)
async def test_missing_service_methods_are_named_as_feathers_names_them(
    client, method, path, service_method
):
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.json()["message"] == (
        f"Method `{service_method}` is not supported by this endpoint."
    )
