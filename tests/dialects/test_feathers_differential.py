"""authgate vs a real Feathers 5 server: the same requests, the same answers.

Both servers get the same users and the same requests. For each case we compare the
status, the Feathers error fields (name, className, code, message) and the key
structure of the body (not token values, ids or timestamps). The differences that are
deliberate (docs/dialects/feathers.md) are listed in ALLOWED_EXTRA and ALLOWED_MISSING.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from tests.feathers_harness import (
    SECRET,
    authgate_env,
    authgate_server,
    create_user,
    ensure_node_modules,
    feathers_server,
)

pytestmark = pytest.mark.slow

USERS = [
    ("alice", "alice@example.com", "Alice-pass-123"),
    ("bob", "bob@example.com", "Bob-pass-12345"),
    ("carol", "carol@example.com", "Carol-pass-123"),
]
# authgate adds the session id claim; its errors always carry `errors` as seed 000 shows.
ALLOWED_EXTRA = {"authentication.payload.sid", "errors"}
# Feathers copies jsonwebtoken's internal error (name, expiredAt) or the refused query
# into an error's `data`; authgate does not echo either.
ALLOWED_MISSING_PREFIX = "data"


def shape(value: Any, prefix: str = "") -> set[str]:
    """Dotted key paths of a JSON value; list items share their list's path."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= shape(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= shape(item, prefix)
    return paths


class Server:
    def __init__(self, name: str, base: str, issuer: str, audience: str) -> None:
        self.name = name
        self.http = httpx.Client(base_url=base, timeout=10)
        self.issuer = issuer
        self.audience = audience
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, Any] = {}

    def forge(self, *, expires_in: int, secret: str = SECRET) -> str:
        now = datetime.now(UTC)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(self.ids["alice"]),
            "sid": "s",
            "jti": "j",
            "iat": int((now - timedelta(hours=2)).timestamp()),
            "exp": int((now + timedelta(seconds=expires_in)).timestamp()),
        }
        return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "access"})


def login(server: Server, username: str, email: str, password: str) -> None:
    response = server.http.post(
        "/authentication", json={"strategy": "local", "email": email, "password": password}
    )
    assert response.status_code == 201, (server.name, response.text)
    body = response.json()
    server.tokens[username] = body["accessToken"]
    server.ids[username] = body["user"]["id"]


def auth(server: Server, who: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.tokens[who]}"}


# Each case: (id, function(server) -> response). Run against both servers in this order.
CASES = [
    (
        "local login",
        lambda s: s.http.post(
            "/authentication",
            json={"strategy": "local", "email": "alice@example.com", "password": "Alice-pass-123"},
        ),
    ),
    (
        "no strategy",
        lambda s: s.http.post(
            "/authentication", json={"email": "alice@example.com", "password": "Alice-pass-123"}
        ),
    ),
    (
        "unknown strategy",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "github", "email": "a@b.c", "password": "x"}
        ),
    ),
    (
        "wrong password",
        lambda s: s.http.post(
            "/authentication",
            json={
                "strategy": "local",
                "email": "alice@example.com",
                "password": "not-her-password",
            },
        ),
    ),
    (
        "unknown email",
        lambda s: s.http.post(
            "/authentication",
            json={"strategy": "local", "email": "ghost@example.com", "password": "Alice-pass-123"},
        ),
    ),
    (
        "missing password",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "local", "email": "alice@example.com"}
        ),
    ),
    (
        "missing email",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "local", "password": "Alice-pass-123"}
        ),
    ),
    (
        "jwt strategy",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "jwt", "accessToken": s.tokens["alice"]}
        ),
    ),
    ("jwt without token", lambda s: s.http.post("/authentication", json={"strategy": "jwt"})),
    (
        "jwt malformed",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "jwt", "accessToken": "not-a-jwt"}
        ),
    ),
    (
        "jwt undecodable",
        lambda s: s.http.post("/authentication", json={"strategy": "jwt", "accessToken": "a.b.c"}),
    ),
    (
        "jwt expired",
        lambda s: s.http.post(
            "/authentication", json={"strategy": "jwt", "accessToken": s.forge(expires_in=-3600)}
        ),
    ),
    (
        "jwt badly signed",
        lambda s: s.http.post(
            "/authentication",
            json={
                "strategy": "jwt",
                "accessToken": s.forge(expires_in=600, secret="wrong-" + "q" * 40),
            },
        ),
    ),
    (
        "expired token on a service",
        lambda s: s.http.get(
            "/users", headers={"Authorization": f"Bearer {s.forge(expires_in=-3600)}"}
        ),
    ),
    (
        "badly signed token on a service",
        lambda s: s.http.get(
            "/users",
            headers={
                "Authorization": f"Bearer {s.forge(expires_in=600, secret='wrong-' + 'q' * 40)}"
            },
        ),
    ),
    ("missing token on a service", lambda s: s.http.get("/users")),
    ("find", lambda s: s.http.get("/users", headers=auth(s))),
    (
        "find $limit $skip",
        lambda s: s.http.get(
            "/users", params={"$limit": "1", "$skip": "1", "$sort[email]": "1"}, headers=auth(s)
        ),
    ),
    (
        "find $limit over max",
        lambda s: s.http.get("/users", params={"$limit": "500"}, headers=auth(s)),
    ),
    (
        "find $sort desc",
        lambda s: s.http.get("/users", params={"$sort[email]": "-1"}, headers=auth(s)),
    ),
    (
        "find $select",
        lambda s: s.http.get("/users", params={"$select[]": "email"}, headers=auth(s)),
    ),
    (
        "find equality",
        lambda s: s.http.get("/users", params={"email": "bob@example.com"}, headers=auth(s)),
    ),
    (
        "find id $in",
        lambda s: s.http.get(
            "/users",
            params=[
                ("id[$in][]", str(s.ids["alice"])),
                ("id[$in][]", str(s.ids["carol"])),
                ("$sort[email]", "1"),
            ],
            headers=auth(s),
        ),
    ),
    (
        "find id $nin",
        lambda s: s.http.get(
            "/users",
            params=[("id[$nin][]", str(s.ids["alice"])), ("$sort[email]", "1")],
            headers=auth(s),
        ),
    ),
    (
        "find unknown filter",
        lambda s: s.http.get("/users", params={"$regex": "x"}, headers=auth(s)),
    ),
    (
        "find unknown operator",
        lambda s: s.http.get("/users", params={"id[$regex]": "x"}, headers=auth(s)),
    ),
    ("get", lambda s: s.http.get(f"/users/{s.ids['bob']}", headers=auth(s))),
    ("get unknown id", lambda s: s.http.get("/users/999999", headers=auth(s))),
    (
        "patch",
        lambda s: s.http.patch(f"/users/{s.ids['bob']}", json={"name": "Bobby"}, headers=auth(s)),
    ),
    ("update is not allowed on authentication", lambda s: s.http.put("/authentication", json={})),
    ("unknown path", lambda s: s.http.get("/users/1/extra", headers=auth(s))),
    ("logout", lambda s: s.http.delete("/authentication", headers=auth(s, "carol"))),
    ("logout without token", lambda s: s.http.delete("/authentication")),
    (
        "logout with another id",
        lambda s: s.http.delete("/authentication/other", headers=auth(s, "bob")),
    ),
    ("remove", lambda s: s.http.delete(f"/users/{s.ids['carol']}", headers=auth(s))),
]


@pytest.fixture
def servers(database_url, tmp_path):
    node = ensure_node_modules()
    env = authgate_env(database_url, AUTHGATE_ALLOW_REGISTRATION="true")
    # alice is an admin in authgate so that she sees every user, as any Feathers user does.
    create_user(env, tmp_path, *USERS[0], admin=True)
    with (
        authgate_server(env, tmp_path) as ag_base,
        feathers_server(node, tmp_path, audience="authgate", issuer="feathers") as fe_base,
    ):
        pair = [
            Server("authgate", ag_base, ag_base, "authgate"),
            Server("feathers", fe_base, "feathers", "authgate"),
        ]
        feathers = pair[1]
        username, email, password = USERS[0]
        created = feathers.http.post(
            "/users", json={"username": username, "email": email, "password": password}
        )
        assert created.status_code == 201, created.text
        for server in pair:
            for username, email, password in USERS[1:]:
                response = server.http.post(
                    "/users", json={"username": username, "email": email, "password": password}
                )
                assert response.status_code == 201, (server.name, response.text)
            for username, email, password in USERS:
                login(server, username, email, password)
        yield pair
        for server in pair:
            server.http.close()


def compare(case: str, ours: httpx.Response, theirs: httpx.Response) -> list[str]:
    problems = []
    if ours.status_code != theirs.status_code:
        problems.append(f"status {ours.status_code} != {theirs.status_code}")
    a, b = ours.json(), theirs.json()
    if isinstance(b, dict) and "className" in b:
        for key in ("name", "className", "code", "message"):
            if a.get(key) != b.get(key):
                problems.append(f"{key}: {a.get(key)!r} != {b.get(key)!r}")
    extra = shape(a) - shape(b) - ALLOWED_EXTRA
    missing = shape(b) - shape(a)
    if isinstance(b, dict) and "className" in b:
        missing = {p for p in missing if p.split(".")[0] != ALLOWED_MISSING_PREFIX}
    if extra or missing:
        problems.append(f"keys: extra {sorted(extra)}, missing {sorted(missing)}")
    if isinstance(b, dict) and isinstance(b.get("data"), list) and "total" in b:
        for key in ("total", "limit", "skip"):
            if a[key] != b[key]:
                problems.append(f"{key}: {a[key]} != {b[key]}")
        if [u.get("email") for u in a["data"]] != [u.get("email") for u in b["data"]]:
            problems.append("data: not the same users in the same order")
    return [f"{case}: {p}" for p in problems]


def test_authgate_answers_as_feathers_does(servers):
    ours, theirs = servers
    problems = []
    for case, request in CASES:
        problems += compare(case, request(ours), request(theirs))
    assert not problems, "\n".join(problems)


def test_the_one_deliberate_difference_logout_kills_the_token(servers):
    ours, theirs = servers
    for server in servers:
        assert server.http.delete("/authentication", headers=auth(server, "bob")).status_code == 200
    # Stock Feathers only verifies the token on DELETE; it goes on working until it expires.
    assert theirs.http.get("/users", headers=auth(theirs, "bob")).status_code == 200
    dead = ours.http.get("/users", headers=auth(ours, "bob"))
    assert dead.status_code == 401
    assert dead.json()["name"] == "NotAuthenticated"
