"""GET /api/v1/auth/audit: administrators only, filters, keyset pagination, v1 errors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from tests.audit.support import AGENT, API, PEER, read_api
from tests.factories import bearer, v1_login


@pytest.fixture
async def admin_token(agent_client, users):
    admin = await users(is_admin=True)
    return (await v1_login(agent_client, admin))["token"]


async def test_without_a_token_is_401_in_v1_shape(client):
    response = await client.get(f"{API}/audit")
    assert response.status_code == 401
    assert response.json() == {"error": "Authentication required"}
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_non_admin_is_403_in_v1_shape(agent_client, users):
    alice = await users()
    token = (await v1_login(agent_client, alice))["token"]
    response = await read_api(agent_client, token)
    assert response.status_code == 403
    assert response.json() == {"error": "Only administrators can read the audit log"}


async def test_admin_reads_newest_first_with_every_field(agent_client, users, admin_token):
    alice = await users()
    tokens = await v1_login(agent_client, alice)
    await agent_client.post(f"{API}/logout", headers=bearer(tokens["token"]))
    response = await read_api(agent_client, admin_token, user_id=alice.id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextCursor"] is None
    events = body["events"]
    assert [e["event"] for e in events] == ["logout", "login", "user_create"]
    logout = events[0]
    assert set(logout) == {
        "id",
        "occurredAt",
        "event",
        "outcome",
        "userId",
        "sessionId",
        "ip",
        "userAgent",
        "detail",
    }
    assert logout["userId"] == alice.id and logout["outcome"] == "success"
    assert logout["ip"] == PEER and logout["userAgent"] == AGENT
    assert logout["occurredAt"].endswith("Z")
    stamp = datetime.fromisoformat(logout["occurredAt"])
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=1)


async def test_an_admin_api_key_can_read(agent_client, users):
    admin = await users(is_admin=True)
    token = (await v1_login(agent_client, admin))["token"]
    created = await agent_client.post(f"{API}/keys", json={"name": "siem"}, headers=bearer(token))
    response = await agent_client.get(
        f"{API}/audit", headers={"X-API-Key": created.json()["apiKey"]}
    )
    assert response.status_code == 200
    assert response.json()["events"][0]["event"] == "api_key_create"


async def test_filters_by_event_outcome_and_user(agent_client, users, admin_token):
    alice, bob = await users(), await users()
    await v1_login(agent_client, alice)
    await v1_login(agent_client, bob)
    await agent_client.post(
        f"{API}/login", json={"username": alice.username, "password": "wrong-password-x"}
    )
    logins = (await read_api(agent_client, admin_token, event="login")).json()["events"]
    assert len(logins) == 4  # the admin's, alice, bob, and alice's failure
    failed = (await read_api(agent_client, admin_token, event="login", outcome="failure")).json()
    assert [(e["userId"], e["detail"]) for e in failed["events"]] == [
        (alice.id, {"reason": "wrong_password"})
    ]
    bobs = (await read_api(agent_client, admin_token, user_id=bob.id, event="login")).json()
    assert [e["userId"] for e in bobs["events"]] == [bob.id]


async def test_filters_by_time(agent_client, users, time_machine):
    alice = await users()
    start = datetime.now(UTC)
    time_machine.move_to(start + timedelta(hours=2))
    await v1_login(agent_client, alice)
    time_machine.move_to(start + timedelta(hours=4))
    await v1_login(agent_client, alice)
    since = (start + timedelta(hours=1)).isoformat()
    until = (start + timedelta(hours=3)).isoformat()
    admin = await users(is_admin=True)
    token = (await v1_login(agent_client, admin))["token"]
    window = await read_api(
        agent_client, token, user_id=alice.id, event="login", since=since, until=until
    )
    assert window.status_code == 200, window.text
    assert len(window.json()["events"]) == 1
    later = await read_api(agent_client, token, user_id=alice.id, event="login", since=until)
    assert len(later.json()["events"]) == 1
    # Without an offset a time is UTC.
    naive = (start + timedelta(hours=3)).replace(tzinfo=None).isoformat()
    same = await read_api(agent_client, token, user_id=alice.id, event="login", since=naive)
    assert same.json()["events"] == later.json()["events"]


async def test_cursor_pages_walk_every_row_once(agent_client, users, admin_token):
    alice = await users()
    for _ in range(6):
        await v1_login(agent_client, alice)
    everything = (await read_api(agent_client, admin_token, limit=500)).json()["events"]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await read_api(agent_client, admin_token, **params)).json()
        pages += 1
        seen.extend(e["id"] for e in page["events"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    # Rows written while paging (none here but the reads' own) would come on a fresh walk.
    assert seen == [e["id"] for e in everything]
    assert pages == -(-len(everything) // 4)
    stamps = [e["occurredAt"] for e in everything]
    assert stamps == sorted(stamps, reverse=True)


def huge_id_cursor() -> str:
    raw = f"{datetime.now(UTC).isoformat()}|{2**63}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event": "bogus"}, "Invalid request: event:"),
        ({"outcome": "maybe"}, "Invalid request: outcome:"),
        ({"since": "yesterday"}, "Invalid request: since:"),
        ({"until": "2026-13-01T00:00:00Z"}, "Invalid request: until:"),
        ({"limit": "0"}, "Invalid request: limit:"),
        ({"limit": "501"}, "Invalid request: limit:"),
        ({"limit": "ten"}, "Invalid request: limit:"),
        ({"cursor": "not-a-cursor"}, "invalid cursor"),
        ({"cursor": "MjAyNi0xMS0yNXww"}, "invalid cursor"),  # a time without an offset, id 0
        ({"cursor": huge_id_cursor()}, "invalid cursor"),
        ({"cursor": "é"}, "invalid cursor"),
        ({"user_id": "u" * 65}, "Invalid request: user_id:"),
        ({"user_id": "nul\x00byte"}, "Invalid request: user_id:"),
        ({"since": "0001-01-01T00:00:00+01:00"}, "since is out of range"),
        ({"until": "9999-12-31T23:59:59-01:00"}, "until is out of range"),
        (
            {"since": "2026-11-25T12:00:00Z", "until": "2026-11-25T11:00:00Z"},
            "since must not be after until",
        ),
    ],
)
async def test_bad_filters_are_400_in_v1_shape(agent_client, admin_token, params, message):
    response = await read_api(agent_client, admin_token, **params)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    assert response.json()["error"].startswith(message)


async def test_openapi_documents_the_endpoint(client):
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"][f"{API}/audit"]["get"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/AuditPage"}
    params = {p["name"] for p in operation["parameters"]}
    assert params == {"user_id", "event", "outcome", "since", "until", "limit", "cursor"}
