"""Reading the audit log in tests: through the core (which flushes first) or over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import jwt

from authgate.container import Services
from authgate.core.audit import AuditEvent, AuditQuery

AGENT = "audit-test/1.0 (+https://example.test)"
PEER = "203.0.113.7"  # the client address of the `client` fixture
API = "/api/v1/auth"


async def rows(services: Services, **filters: Any) -> list[AuditEvent]:
    """Every matching row, newest first, after this process's buffer is written."""
    page = await services.core.audit.search_as_operator(AuditQuery(limit=500, **filters))
    assert page.next is None
    return list(page.events)


async def only(services: Services, event: str, **filters: Any) -> AuditEvent:
    """The one row of that event (the test fails when there are none or several)."""
    found = await rows(services, event=event, **filters)
    assert len(found) == 1, found
    return found[0]


def sid_of(access_token: str) -> str:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return str(claims["sid"])


def from_test_client(row: AuditEvent) -> bool:
    return row.client_ip == PEER and row.user_agent == AGENT


async def read_api(client: httpx.AsyncClient, token: str, **params: Any) -> httpx.Response:
    return await client.get(
        f"{API}/audit", params=params, headers={"Authorization": f"Bearer {token}"}
    )
