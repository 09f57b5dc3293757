"""The standard endpoints over HTTP: token, revoke, introspect, discovery, JWKS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.factories import basic_auth, bearer, v1_login, v1_new_key

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def password_grant(client, made):
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": made.username, "password": made.password},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_password_grant_returns_a_bearer_pair_not_to_be_cached(client, users):
    alice = await users()
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": alice.email, "password": alice.password},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    me = await client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.json()["id"] == alice.id


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({}, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "x"}, 400, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "nobody"}, 400, "invalid_request"),
        (
            {"grant_type": "password", "username": "nobody", "password": "wrong-pass"},
            400,
            "invalid_grant",
        ),
        ({"grant_type": "refresh_token", "refresh_token": "not-a-token"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
    ],
)
async def test_token_errors_are_rfc6749_section_5_2(client, data, status, error):
    response = await client.post("/oauth/token", data=data)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and isinstance(body["error_description"], str)
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


async def test_wrong_password_and_expired_password_are_invalid_grant(client, users, services):
    alice = await users()
    wrong = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": alice.username, "password": "not-it-at-all"},
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    await services.core.accounts.expire_password(alice.id)
    expired = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": alice.username, "password": alice.password},
    )
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    assert "access_token" not in expired.json()


async def test_token_endpoint_refuses_json_and_repeated_parameters(client, users):
    alice = await users()
    as_json = await client.post(
        "/oauth/token",
        json={"grant_type": "password", "username": alice.username, "password": alice.password},
    )
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    repeated = await client.post(
        "/oauth/token", content="grant_type=password&grant_type=password", headers=FORM
    )
    assert repeated.status_code == 400 and repeated.json()["error"] == "invalid_request"


async def test_refresh_grant_rotates_and_reuse_ends_the_session(client, users):
    alice = await users()
    first = await password_grant(client, alice)
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = await client.post("/oauth/token", data=data)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = await client.post("/oauth/token", data=data)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    me = await client.get("/api/v1/auth/me", headers=bearer(second.json()["access_token"]))
    assert me.status_code == 401


@pytest.mark.parametrize("method", ["basic", "form"])
async def test_client_credentials_token_acts_as_the_key_with_its_limits(client, users, method):
    alice = await users()
    key = await v1_new_key(client, alice, "rs")
    data = {"grant_type": "client_credentials"}
    if method == "basic":
        response = await client.post(
            "/oauth/token", data=data, headers=basic_auth(key["keyId"], key["apiKey"])
        )
    else:
        data |= {"client_id": key["keyId"], "client_secret": key["apiKey"]}
        response = await client.post("/oauth/token", data=data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "api" and "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == key["keyId"] and claims["sub"] == alice.id
    headers = bearer(body["access_token"])
    assert (await client.get("/api/v1/auth/me", headers=headers)).json()["id"] == alice.id
    # An API key cannot manage keys; neither can a token bought with one.
    denied = await client.post("/api/v1/auth/keys", json={"name": "x"}, headers=headers)
    assert denied.status_code == 403
    assert (await client.get("/api/v1/auth/sessions", headers=headers)).status_code == 403


async def test_client_credentials_token_dies_with_its_key(client, users):
    alice = await users()
    key = await v1_new_key(client, alice, "rs")
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(key["keyId"], key["apiKey"]),
    )
    token = response.json()["access_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(token))).status_code == 200
    session = await v1_login(client, alice)
    deleted = await client.delete(
        f"/api/v1/auth/keys/{key['keyId']}", headers=bearer(session["token"])
    )
    assert deleted.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=bearer(token))).status_code == 401


@pytest.mark.parametrize("which", ["wrong-secret", "wrong-id", "not-a-key"])
async def test_bad_client_credentials_are_invalid_client_401(client, users, which):
    alice = await users()
    key = await v1_new_key(client, alice, "rs")
    client_id, secret = key["keyId"], key["apiKey"]
    if which == "wrong-secret":
        secret = secret[:-4] + "AAAA"
    elif which == "wrong-id":
        client_id = "key_aaaaaaaaaaaa"
    else:
        secret = "hunter2"
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(client_id, secret),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"] == 'Basic realm="authgate"'


@pytest.mark.parametrize("kind", ["access_token", "refresh_token"])
async def test_revoking_either_token_ends_the_session(client, users, kind):
    alice = await users()
    pair = await password_grant(client, alice)
    response = await client.post("/oauth/revoke", data={"token": pair[kind]})
    assert response.status_code == 200
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
    ).status_code == 401
    refreshed = await client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 400


@pytest.mark.parametrize("token", ["unknown", "a.b.c", "x" * 9000])
async def test_revoking_an_unknown_token_is_200(client, token):
    response = await client.post("/oauth/revoke", data={"token": token})
    assert response.status_code == 200


async def test_revoke_needs_a_token_and_checks_a_sent_secret(client):
    missing = await client.post("/oauth/revoke", data={})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    wrong = await client.post(
        "/oauth/revoke",
        data={"token": "x"},
        headers=basic_auth("key_aaaaaaaaaaaa", "sk_live_" + "a" * 32),
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


@pytest.fixture
async def resource_server(client, users):
    """An API key held by a non-admin owner, as Bearer and as Basic."""
    owner = await users()
    key = await v1_new_key(client, owner, "rs")
    return owner, key


@pytest.mark.parametrize("auth", ["bearer", "basic"])
async def test_introspection_of_the_owners_token(client, resource_server, auth):
    owner, key = resource_server
    pair = await password_grant(client, owner)
    headers = bearer(key["apiKey"]) if auth == "bearer" else basic_auth(key["keyId"], key["apiKey"])
    response = await client.post(
        "/oauth/introspect", data={"token": pair["access_token"]}, headers=headers
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["active"] is True
    assert body["sub"] == owner.id and body["username"] == owner.username
    assert body["token_type"] == "Bearer" and body["scope"] == "session"
    assert body["exp"] - body["iat"] == 3600
    refresh = await client.post(
        "/oauth/introspect", data={"token": pair["refresh_token"]}, headers=headers
    )
    assert refresh.json()["active"] is True and refresh.json()["token_type"] == "refresh_token"


async def test_introspection_of_a_client_credentials_token_names_the_key(client, resource_server):
    _owner, key = resource_server
    issued = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(key["keyId"], key["apiKey"]),
    )
    response = await client.post(
        "/oauth/introspect",
        data={"token": issued.json()["access_token"]},
        headers=bearer(key["apiKey"]),
    )
    body = response.json()
    assert body["active"] is True and body["client_id"] == key["keyId"] and body["scope"] == "api"


async def test_introspection_hides_other_users_tokens_unless_admin(client, users, resource_server):
    _, key = resource_server
    stranger = await users()
    pair = await password_grant(client, stranger)
    foreign = await client.post(
        "/oauth/introspect", data={"token": pair["access_token"]}, headers=bearer(key["apiKey"])
    )
    assert foreign.json() == {"active": False}
    admin_key = await v1_new_key(client, await users(is_admin=True), "rs")
    seen = await client.post(
        "/oauth/introspect",
        data={"token": pair["access_token"]},
        headers=bearer(admin_key["apiKey"]),
    )
    assert seen.json()["active"] is True and seen.json()["sub"] == stranger.id


async def test_introspection_of_revoked_expired_and_malformed_tokens(
    client, resource_server, time_machine
):
    owner, key = resource_server
    headers = bearer(key["apiKey"])
    revoked = await password_grant(client, owner)
    await client.post("/oauth/revoke", data={"token": revoked["access_token"]})
    expiring = await password_grant(client, owner)
    for token in (revoked["access_token"], revoked["refresh_token"], "garbage", "a.b.c"):
        response = await client.post("/oauth/introspect", data={"token": token}, headers=headers)
        assert response.json() == {"active": False}, token
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=3600 + 10))
    response = await client.post(
        "/oauth/introspect", data={"token": expiring["access_token"]}, headers=headers
    )
    assert response.json() == {"active": False}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-an-api-key"}])
async def test_introspection_needs_an_api_key(client, users, headers):
    pair = await password_grant(client, await users())
    for auth in (headers, bearer(pair["access_token"])):
        response = await client.post(
            "/oauth/introspect", data={"token": pair["access_token"]}, headers=auth
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert "www-authenticate" in response.headers


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]
)
async def test_discovery_names_the_issuer_and_endpoints(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    body = response.json()
    assert body["issuer"] == "http://testserver"
    assert body["token_endpoint"] == "http://testserver/oauth/token"
    assert body["revocation_endpoint"] == "http://testserver/oauth/revoke"
    assert body["introspection_endpoint"] == "http://testserver/oauth/introspect"
    assert body["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert set(body["grant_types_supported"]) == {"password", "refresh_token", "client_credentials"}
    assert body["token_signing_alg_values_supported"] == ["HS256"]


async def test_hs256_jwks_is_empty_never_the_secret(client, settings):
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.json() == {"keys": []}
    assert "public" in response.headers["cache-control"]
    assert settings.secret_key not in response.text
