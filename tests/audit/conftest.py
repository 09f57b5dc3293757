from __future__ import annotations

import httpx
import pytest

from tests.audit.support import AGENT


@pytest.fixture
def agent_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The app's client, sending a recognisable User-Agent."""
    client.headers["User-Agent"] = AGENT
    return client
