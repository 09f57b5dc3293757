"""Headers: CORS only for configured origins (never `*` with credentials), the security
headers on every response, `no-store` on every response that carries a secret, and a
strict Content-Security-Policy on every HTML page."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from pydantic import ValidationError

from authgate.config import Settings, describe_validation_error
from tests.factories import bearer, v1_create_key
from tests.security.harness import FEATHERS, LOGIN_WAYS, REFRESH_WAYS, V1, aim

APP = "https://app.example.com"
EVIL = "https://evil.example"


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


# --- CORS -------------------------------------------------------------------------------


async def test_no_cors_headers_by_default(client):
    preflight = await client.options("/api/v1/auth/login", headers=_preflight(APP))
    simple = await client.get("/healthz", headers={"Origin": APP})
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
    assert preflight.status_code == 405


@pytest.mark.parametrize("settings_overrides", [{"cors_origins": [APP]}])
async def test_cors_allows_a_listed_origin_only(client):
    allowed = await client.options("/api/v1/auth/login", headers=_preflight(APP))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    assert allowed.headers["x-content-type-options"] == "nosniff"
    refused = await client.options("/api/v1/auth/login", headers=_preflight(EVIL))
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    simple = await client.get("/healthz", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in simple.headers
    listed = await client.get("/healthz", headers={"Origin": APP})
    assert listed.headers["access-control-allow-origin"] == APP
    assert "origin" in listed.headers["vary"].lower()


@pytest.mark.parametrize(
    "settings_overrides", [{"cors_origins": [APP], "cors_allow_credentials": True}]
)
async def test_cors_credentials_go_to_listed_origins_only(client):
    allowed = await client.get("/healthz", headers={"Origin": APP})
    assert allowed.headers["access-control-allow-origin"] == APP
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = await client.get("/healthz", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("settings_overrides", [{"cors_origins": ["*"]}])
async def test_cors_wildcard_without_credentials_says_star(client):
    response = await client.get("/healthz", headers={"Origin": EVIL})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_cors_wildcard_with_credentials_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("AUTHGATE_CORS_ORIGINS", "*")
    monkeypatch.setenv("AUTHGATE_CORS_ALLOW_CREDENTIALS", "true")
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_validation_error(refused.value) == (
        "invalid AUTHGATE_CORS_ALLOW_CREDENTIALS: "
        "Value error, cannot be true while AUTHGATE_CORS_ORIGINS is *"
    )


@pytest.mark.parametrize("origin", [f"{APP}/", f"{APP}/path", "app.example.com", "*.example.com"])
def test_cors_origin_that_could_never_match_is_refused_at_start(origin, monkeypatch):
    monkeypatch.setenv("AUTHGATE_CORS_ORIGINS", f"https://ok.example, {origin}")
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_validation_error(refused.value).startswith("invalid AUTHGATE_CORS_ORIGINS: ")


def test_cors_origins_are_read_comma_separated(monkeypatch):
    monkeypatch.setenv("AUTHGATE_CORS_ORIGINS", f"{APP}, http://localhost:3000")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.cors_origins == [APP, "http://localhost:3000"]
    assert settings.cors_allow_credentials is False


# --- security headers on every response -------------------------------------------------

BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
REQUESTS = {
    "health": ("GET", "/healthz", {}),
    "metrics": ("GET", "/metrics", {}),
    "openapi": ("GET", "/openapi.json", {}),
    "unknown_path": ("GET", "/nowhere", {}),
    "wrong_method": ("PUT", "/api/v1/auth/login", {}),
    "feathers_401": ("GET", "/users", {}),
    "v1_400": ("POST", "/api/v1/auth/login", {"json": {}}),
    "legacy_401": ("GET", "/authheader/list", {}),
    "form_422": ("POST", "/auth/login", {"data": {}}),
    "oauth_400": ("POST", "/oauth/token", {"data": {}}),
    "too_large_413": ("POST", "/api/v1/auth/login", {"content": b"x" * 70_000}),
    "jwks": ("GET", "/.well-known/jwks.json", {}),
    "discovery": ("GET", "/.well-known/openid-configuration", {}),
}


@pytest.mark.parametrize("case", list(REQUESTS))
async def test_security_headers_on_every_response(case, client):
    method, path, kwargs = REQUESTS[case]
    response = await client.request(method, path, **kwargs)
    for name, value in BASELINE.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    if not path.startswith("/.well-known/"):  # public metadata is cacheable, and says so
        assert response.headers["cache-control"] == "no-store"


# --- no-store wherever a secret is in the body ------------------------------------------


@pytest.mark.parametrize("way", LOGIN_WAYS, ids=lambda w: w.name)
async def test_login_responses_are_no_store(way, client, users):
    made = await users()
    response = await way.post(client, made.username, made.password)
    assert response.status_code in (200, 201), response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


@pytest.mark.parametrize("way", REFRESH_WAYS, ids=lambda w: w.name)
async def test_refresh_responses_are_no_store(way, client, users):
    target = await aim(way.dialect, client, users)
    response = await way.refresh(client, target.tokens.refresh)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


async def test_other_responses_with_secrets_are_no_store(client, users):
    target = await aim(V1, client, users)
    token = target.tokens.access
    created = await client.post("/api/v1/auth/keys", json={"name": "k"}, headers=bearer(token))
    header = await client.post(
        "/authheader/add", json={"name": "h"}, headers={"Authorization": token}
    )
    jwt_strategy = await client.post(
        "/authentication", json={"strategy": "jwt", "accessToken": token}
    )
    key_id, secret = created.json()["keyId"], created.json()["apiKey"]
    client_token = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(key_id, secret)
    )
    for response in (created, header, jwt_strategy, client_token):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store"


# --- HTML -------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# Routes left out of the OpenAPI document, which lists every other one.
UNDOCUMENTED_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")


async def _html_pages(client):
    """Every GET route without parameters that answers HTML."""
    spec = (await client.get("/openapi.json")).json()
    documented = [p for p, ops in spec["paths"].items() if "get" in ops and "{" not in p]
    for path in (*documented, *UNDOCUMENTED_PAGES):
        response = await client.get(path)
        if response.headers.get("content-type", "").startswith("text/html"):
            yield path, response


async def test_every_html_page_has_a_strict_csp(client):
    pages = {path: response async for path, response in _html_pages(client)}
    assert set(pages) == {"/docs", "/docs/oauth2-redirect"}
    for path, response in pages.items():
        policy = _directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"], path
        scripts = policy["script-src"]
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "data:"} & set(scripts)
        # Hosts are named down to the file: nothing else on the CDN may run.
        assert all(s.startswith("'sha256-") or s.endswith(".js") for s in scripts), scripts
        inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
        assert inline, path
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in scripts, path
        assert response.headers["x-frame-options"] == "DENY"


async def test_redoc_is_not_served(client):
    response = await client.get("/redoc")
    assert response.status_code == 404


async def test_an_api_key_response_is_json_not_html(client, users):
    # nosniff + a JSON type: a browser never renders a reflected value as a page.
    target = await aim(FEATHERS, client, users)
    key = await v1_create_key(client, target.tokens.access, name="<script>alert(1)</script>")
    listed = await client.get("/api/v1/auth/keys", headers=bearer(target.tokens.access))
    assert listed.headers["content-type"] == "application/json"
    assert key not in listed.text
