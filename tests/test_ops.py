"""Operations endpoints, security headers and the promise that logs carry no secret."""

from __future__ import annotations

import logging
import shutil

import httpx
import pytest
from asgi_lifespan import LifespanManager

from authgate.app import create_app
from authgate.config import Settings
from tests.conftest import FAST_HASH
from tests.factories import bearer, v1_login

API = "/api/v1/auth"


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


async def test_readyz_is_503_when_the_database_is_gone(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder / 'a.db'}", **FAST_HASH)  # type: ignore[call-arg]
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/readyz")).status_code == 200
            await app.state.services.engine.dispose()
            shutil.rmtree(folder)
            gone = await http.get("/readyz")
            assert gone.status_code == 503
            assert gone.json() == {"status": "unavailable"}
            login = await http.post(f"{API}/login", json={"username": "a", "password": "b" * 8})
            assert login.status_code == 503
            assert login.json() == {"error": "Service temporarily unavailable"}
            assert (await http.get("/healthz")).status_code == 200


async def test_metrics_are_prometheus_text(client, users):
    await v1_login(client, await users())
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "authgate_http_requests_total" in response.text


async def test_openapi_and_docs(client):
    spec = (await client.get("/openapi.json")).json()
    assert f"{API}/login" in spec["paths"]
    assert "401" in spec["paths"][f"{API}/login"]["post"]["responses"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


async def test_security_headers_on_every_response(client):
    for path in ("/healthz", f"{API}/me", "/nowhere"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


async def test_unknown_path_under_a_dialect_answers_in_its_shape(client):
    response = await client.get(f"{API}/nothing-here")
    assert response.status_code == 404
    assert "error" in response.json()
    wrong_method = await client.get(f"{API}/login")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()


async def test_no_secret_ever_reaches_the_logs(client, users, caplog):
    caplog.set_level(logging.DEBUG)
    alice = await users(password="very-secret-password-1")
    tokens = await v1_login(client, alice)
    key = (
        await client.post(f"{API}/keys", json={"name": "k"}, headers=bearer(tokens["token"]))
    ).json()
    await client.get(f"{API}/me?token={tokens['token']}", headers={"X-API-Key": key["apiKey"]})
    refreshed = (
        await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})
    ).json()
    await client.post(f"{API}/refresh", json={"refreshToken": tokens["refreshToken"]})  # reuse
    await client.post(
        f"{API}/login", json={"username": alice.username, "password": "wrong-password-2"}
    )
    await client.post(
        f"{API}/password",
        json={
            "username": alice.username,
            "password": alice.password,
            "newPassword": "next-secret-pass-3",
        },
    )
    secrets = [
        alice.password,
        "wrong-password-2",
        "next-secret-pass-3",
        tokens["token"],
        tokens["refreshToken"],
        refreshed["token"],
        refreshed["refreshToken"],
        key["apiKey"],
    ]
    from authgate.logs import JsonFormatter

    formatter = JsonFormatter()
    lines = [
        formatter.format(r) for r in caplog.records if r.name.startswith(("authgate", "uvicorn"))
    ]
    assert any('"event": "login"' in line or '"event":"login"' in line for line in lines)
    assert any('"request"' in line for line in lines)
    text = "\n".join(lines)
    for secret in secrets:
        assert secret not in text
        assert secret[:16] not in text


@pytest.mark.parametrize(
    "path", [f"{API}/login", f"{API}/refresh", f"{API}/password", f"{API}/keys"]
)
async def test_wrong_content_type_is_400_not_500(client, path):
    response = await client.post(
        path, content=b"username=a&password=b", headers={"content-type": "text/plain"}
    )
    assert response.status_code in (400, 401)
    assert "error" in response.json()


async def test_deeply_nested_json_is_400(client):
    body = b"[" * 10_000 + b"]" * 10_000
    response = await client.post(
        f"{API}/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
