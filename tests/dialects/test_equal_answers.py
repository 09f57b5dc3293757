"""Unknown user, wrong password and disabled user cannot be told apart (issue 6 §2).

Not by status, body or headers in any dialect, and not by time: an unknown user costs a
dummy verification at the configured hash parameters. The timing test compares median
latencies over 200 interleaved tries per case. Even the tests' cheap hash (8 MiB, t=1)
is about half a refused login's time in-process, so skipping the dummy hash fails it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from authgate.core.models import UserChanges
from tests.dialects.test_login_rule import DIALECTS, LoginShape

TRIES = 200
TOLERANCE = 0.20
# Every try is a failure for one account and one address; none may be throttled here.
NO_THROTTLE = {"throttle_account_failures": 10_000, "throttle_address_failures": 10_000}
VOLATILE_HEADERS = {"date", "x-request-id", "content-length"}


def answer(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE_HEADERS}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("settings_overrides", [NO_THROTTLE])
@pytest.mark.parametrize("shape", DIALECTS, ids=lambda s: s.name)
async def test_the_three_refusals_are_byte_for_byte_the_same(
    client, users, services, shape: LoginShape
):
    alice, bob = await users(), await users()
    await services.core.accounts.update_user(bob.id, UserChanges(disabled=True))
    answers = [
        answer(await shape.login(client, "nobody-at-all", "wrong-password")),
        answer(await shape.login(client, alice.username, "wrong-password")),
        answer(await shape.login(client, bob.username, bob.password)),
        answer(await shape.login(client, bob.username, "wrong-password")),
    ]
    assert answers[0][0] == shape.refused.status
    assert all(a == answers[0] for a in answers), answers


async def median_latency(attempt: Callable[[], Awaitable[httpx.Response]]) -> float:
    started = time.perf_counter()
    response = await attempt()
    elapsed = time.perf_counter() - started
    assert response.status_code == 401
    return elapsed


@pytest.mark.parametrize("settings_overrides", [NO_THROTTLE])
async def test_unknown_user_and_wrong_password_take_the_same_time(client, users, services):
    alice, bob = await users(), await users()
    await services.core.accounts.update_user(bob.id, UserChanges(disabled=True))

    def login(name: str, password: str) -> Callable[[], Awaitable[httpx.Response]]:
        body = {"username": name, "password": password}
        return lambda: client.post("/api/v1/auth/login", json=body)

    cases = {
        "unknown user": login("nobody-at-all", "wrong-password"),
        "wrong password": login(alice.username, "wrong-password"),
        "disabled user": login(bob.username, bob.password),
    }
    for attempt in cases.values():  # warm caches and the hashing threads
        await median_latency(attempt)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(TRIES):  # interleaved, so drift in machine load hits every case alike
        for name, attempt in cases.items():
            samples[name].append(await median_latency(attempt))
    medians = {name: statistics.median(times) for name, times in samples.items()}
    reference = medians["wrong password"]
    for median in medians.values():
        assert abs(median - reference) <= TOLERANCE * reference, medians
