"""A login flood is shed, not queued: past the hashing queue, logins get 503 + Retry-After.

The hashing pool is held by the test (its CapacityLimiter token taken), so the first
login is admitted and waits for a thread; the next one finds the queue full. No timing
is involved: the test waits for the first login to be admitted, then asserts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.dialects.test_login_rule import DIALECTS, LoginShape, feathers_error

OVERLOADED = "Too many logins in progress, try again shortly"
SHED = {
    "v1": {"error": OVERLOADED},
    "legacy": {"message": OVERLOADED},
    "form": {"detail": OVERLOADED},
    "feathers": feathers_error("Unavailable", 503, "unavailable", OVERLOADED),
}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # One hashing thread and no waiting room: the second concurrent login is shed.
    return {"hash_threads": 1, "hash_queue": 0}


@pytest.fixture(params=DIALECTS, ids=lambda shape: shape.name)
def shape(request: pytest.FixtureRequest) -> LoginShape:
    return request.param


async def _until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


async def test_login_past_the_hashing_queue_is_shed_with_retry_after(
    client, users, services, shape
):
    alice = await users()
    hasher = services.core.ctx.hasher
    holder = object()
    await hasher.limiter.acquire_on_behalf_of(holder)
    try:
        first = asyncio.create_task(shape.login(client, alice.username, alice.password))
        await _until(lambda: hasher.limiter.statistics().tasks_waiting == 1)

        # Bounded: without shedding this login would wait for the held thread forever.
        shed = await asyncio.wait_for(shape.login(client, alice.username, alice.password), 10)

        assert shed.status_code == 503, shed.text
        assert shed.json() == SHED[shape.name]
        assert shed.headers["retry-after"] == "1"
    finally:
        hasher.limiter.release_on_behalf_of(holder)
    assert (await first).status_code == shape.ok


async def test_a_shed_login_counts_no_failed_attempt(client, users, services):
    # Five failures lock an account (the default); ten shed attempts must not count.
    shape = DIALECTS[0]
    alice = await users()
    hasher = services.core.ctx.hasher
    holder = object()
    await hasher.limiter.acquire_on_behalf_of(holder)
    try:
        first = asyncio.create_task(shape.login(client, alice.username, "wrong-password"))
        await _until(lambda: hasher.limiter.statistics().tasks_waiting == 1)
        for _ in range(10):
            shed = await asyncio.wait_for(shape.login(client, alice.username, "wrong-password"), 10)
            assert shed.status_code == 503
    finally:
        hasher.limiter.release_on_behalf_of(holder)
    assert (await first).status_code == 401
    response = await shape.login(client, alice.username, alice.password)
    assert response.status_code == shape.ok, response.text


async def test_places_are_given_back_after_each_login(client, users, shape):
    alice = await users()
    for _ in range(3):
        response = await shape.login(client, alice.username, alice.password)
        assert response.status_code == shape.ok, response.text
