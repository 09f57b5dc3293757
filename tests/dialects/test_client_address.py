"""Which address the per-address throttle counts: X-Forwarded-For only from our proxies.

The test client connects from 203.0.113.7. The address limit is set low and the account
limit high, so a 429 after wrong passwords for *different* accounts can only come from
the address counter: it shows which address the request was counted against.
"""

from __future__ import annotations

import httpx
import pytest

ADDRESS_LIMIT = 2
PROXY_NET = "203.0.113.0/24"
LIMITS = {"throttle_address_failures": ADDRESS_LIMIT, "throttle_account_failures": 100}


async def wrong_login(client: httpx.AsyncClient, user, forwarded: list[str]) -> int:
    headers = [("X-Forwarded-For", value) for value in forwarded]
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": "wrong-password"},
        headers=headers,
    )
    return response.status_code


async def fail_from(client, users, forwarded: list[str]) -> None:
    for _ in range(ADDRESS_LIMIT):
        assert await wrong_login(client, await users(), forwarded) == 401


@pytest.mark.parametrize("settings_overrides", [LIMITS])
async def test_forwarded_for_is_ignored_without_trusted_proxies(client, users):
    await fail_from(client, users, ["198.51.100.1"])
    # A new forged address does not escape: the peer's counter is the one that counts.
    assert await wrong_login(client, await users(), ["198.51.100.2"]) == 429


@pytest.mark.parametrize("settings_overrides", [LIMITS | {"trusted_proxies": [PROXY_NET]}])
async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(client, users):
    await fail_from(client, users, ["198.51.100.1"])
    assert await wrong_login(client, await users(), ["198.51.100.1"]) == 429
    assert await wrong_login(client, await users(), ["198.51.100.2"]) == 401


@pytest.mark.parametrize("settings_overrides", [LIMITS | {"trusted_proxies": [PROXY_NET]}])
async def test_a_forged_left_part_of_the_chain_is_not_believed(client, users):
    # The client can write anything left of what our proxy appended; only the rightmost
    # address not of our proxies counts.
    for forged in ("192.0.2.1", "192.0.2.2"):
        assert await wrong_login(client, await users(), [f"{forged}, 198.51.100.9"]) == 401
    assert await wrong_login(client, await users(), ["192.0.2.3, 198.51.100.9"]) == 429


@pytest.mark.parametrize("settings_overrides", [LIMITS | {"trusted_proxies": [PROXY_NET]}])
async def test_several_forwarded_for_fields_read_as_one_list(client, users):
    await fail_from(client, users, ["192.0.2.1", "198.51.100.9"])
    assert await wrong_login(client, await users(), ["192.0.2.7, 198.51.100.9"]) == 429
    assert await wrong_login(client, await users(), ["198.51.100.9", "192.0.2.1"]) == 401
