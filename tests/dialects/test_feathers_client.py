"""The official Feathers 5 client (REST + authentication-client) works against authgate."""

from __future__ import annotations

import pytest

from tests.feathers_harness import (
    authgate_env,
    authgate_server,
    create_user,
    ensure_node_modules,
    run_client,
)

pytestmark = pytest.mark.slow


def test_official_feathers_client_logs_in_finds_gets_and_logs_out(database_url, tmp_path):
    node = ensure_node_modules()
    env = authgate_env(database_url)
    create_user(env, tmp_path, "alice", "alice@example.com", "Alice-pass-123", admin=False)
    create_user(env, tmp_path, "bob", "bob@example.com", "Bob-pass-12345", admin=False)
    with authgate_server(env, tmp_path) as base:
        report = run_client(node, base, "alice@example.com", "Alice-pass-123")
    assert report["login"]["strategy"] == "local"
    assert report["login"]["hasToken"] is True
    alice = report["login"]["user"]
    assert set(alice) == {"id", "email", "username", "name", "avatar", "createdAt", "updatedAt"}
    assert report["reAuthenticate"] == {"strategy": "jwt", "sameToken": True}
    # A non-admin finds only themselves.
    assert report["find"] == {"total": 1, "limit": 10, "skip": 0, "ids": [alice["id"]]}
    assert report["get"] == alice
    assert report["logout"] == {"userId": alice["id"]}
    assert report["afterLogout"]["error"] == "NotAuthenticated"
    assert report["afterLogout"]["code"] == 401
    assert report["oldToken"] == {
        "error": "NotAuthenticated",
        "code": 401,
        "message": "jwt revoked",
    }
