"""Revocation across processes: a logout on one node is honoured by the others within 1 s."""

from __future__ import annotations

import time

import httpx

from tests.servers import cli_env, run_cli, running_server

API = "/api/v1/auth"
PASSWORD = "multi-node-secret-1"


def _wait_until_refused(base: str, token: str, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit + 1:
        with httpx.Client(base_url=base, timeout=5) as fresh:  # new connection each time
            if (
                fresh.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code
                == 401
            ):
                return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError("token still accepted")


def test_logout_on_one_node_is_refused_by_another_within_a_second(database_url, tmp_path):
    # Two nodes on two ports: without a configured issuer each would name its own URL.
    env = cli_env(database_url, AUTHGATE_ISSUER="https://auth.example.com")
    created = run_cli(
        ["user", "create", "carol", "--email", "carol@example.com", "--password-stdin"],
        env,
        tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    with running_server(env, tmp_path) as node_a, running_server(env, tmp_path) as node_b:
        login = httpx.post(
            f"{node_a}{API}/login", json={"username": "carol", "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {login['token']}"}
        assert httpx.get(f"{node_b}{API}/me", headers=headers).status_code == 200  # cached on B now
        assert httpx.post(f"{node_a}{API}/logout", headers=headers).status_code == 200
        assert _wait_until_refused(node_b, login["token"], limit=1.0) < 1.0
        refresh = httpx.post(f"{node_b}{API}/refresh", json={"refreshToken": login["refreshToken"]})
        assert refresh.status_code == 401


def test_two_workers_share_revocations(database_url, tmp_path):
    env = cli_env(database_url)
    run_cli(
        ["user", "create", "dave", "--email", "dave@example.com", "--password", PASSWORD],
        env,
        tmp_path,
    )
    with running_server(env, tmp_path, workers=2) as base:
        login = httpx.post(
            f"{base}{API}/login", json={"username": "dave", "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {login['token']}"}
        for _ in range(20):  # fresh connections reach both workers and warm their caches
            with httpx.Client(timeout=5) as fresh:
                assert fresh.get(f"{base}{API}/me", headers=headers).status_code == 200
        with httpx.Client(timeout=5) as fresh:
            assert fresh.post(f"{base}{API}/logout", headers=headers).status_code == 200
        time.sleep(1.0)
        for _ in range(20):
            with httpx.Client(timeout=5) as fresh:
                assert fresh.get(f"{base}{API}/me", headers=headers).status_code == 401
