"""Real OAuth clients against /oauth/token: authlib's AsyncOAuth2Client (httpx, in process).

The live-server half (authlib's requests OAuth2Session, PyJWT's PyJWKClient across a
`keys rotate`) is in tests/test_oauth_live.py.
"""

from __future__ import annotations

import warnings

import httpx
import pytest

from tests.factories import bearer, v1_login

with warnings.catch_warnings():
    # authlib >= 1.6 prefers the httpx2 package and warns when it falls back to httpx.
    warnings.simplefilter("ignore")
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

BASE = "http://testserver"


@pytest.fixture(params=["HS256", "ES256"])
def settings_overrides(request):
    return {"jwt_algorithm": request.param}


def oauth_client(app, **kwargs):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    return AsyncOAuth2Client(transport=transport, base_url=BASE, **kwargs)


async def test_authlib_password_and_refresh_grants(app, users):
    alice = await users()
    async with oauth_client(app, client_id="my-cli", token_endpoint_auth_method="none") as oauth:
        token = await oauth.fetch_token(
            f"{BASE}/oauth/token", username=alice.username, password=alice.password
        )
        assert token["token_type"] == "Bearer" and token["expires_at"] > 0
        assert (await oauth.get("/api/v1/auth/me")).json()["id"] == alice.id
        first_refresh = token["refresh_token"]
        refreshed = await oauth.refresh_token(f"{BASE}/oauth/token")
        assert refreshed["refresh_token"] != first_refresh
        assert (await oauth.get("/api/v1/auth/me")).json()["id"] == alice.id
        # The rotated refresh token is dead, and presenting it ends the session.
        with pytest.raises(OAuthError) as reused:
            await oauth.refresh_token(f"{BASE}/oauth/token", refresh_token=first_refresh)
        assert reused.value.error == "invalid_grant"
        assert (await oauth.get("/api/v1/auth/me")).status_code == 401


async def test_authlib_wrong_password_is_invalid_grant(app, users):
    alice = await users()
    async with oauth_client(app, client_id="my-cli", token_endpoint_auth_method="none") as oauth:
        with pytest.raises(OAuthError) as error:
            await oauth.fetch_token(
                f"{BASE}/oauth/token", username=alice.username, password="nope-nope"
            )
    assert error.value.error == "invalid_grant"


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
async def test_authlib_client_credentials_with_an_api_key(app, client, users, auth_method):
    alice = await users()
    session = await v1_login(client, alice)
    key = (
        await client.post(
            "/api/v1/auth/keys", json={"name": "svc"}, headers=bearer(session["token"])
        )
    ).json()
    async with oauth_client(
        app,
        client_id=key["keyId"],
        client_secret=key["apiKey"],
        token_endpoint_auth_method=auth_method,
    ) as oauth:
        token = await oauth.fetch_token(f"{BASE}/oauth/token", grant_type="client_credentials")
        assert token["scope"] == "api" and "refresh_token" not in token
        assert (await oauth.get("/api/v1/auth/me")).json()["id"] == alice.id
        assert (await oauth.get("/api/v1/auth/keys")).status_code == 403
    async with oauth_client(
        app,
        client_id=key["keyId"],
        client_secret="sk_live_" + "x" * 32,
        token_endpoint_auth_method=auth_method,
    ) as wrong:
        with pytest.raises(OAuthError) as error:
            await wrong.fetch_token(f"{BASE}/oauth/token", grant_type="client_credentials")
    assert error.value.error == "invalid_client"
