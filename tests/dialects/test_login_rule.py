"""One login rule, four shapes: every dialect refuses the same logins, each in its own body.

The decision (unknown user, wrong password, disabled user, expired password, throttled
client) is made once, in core.auth.check_password; this suite runs every case through
every dialect's login endpoint and checks the answer is that dialect's shape.

The table, DIALECTS, has one row per dialect. To add one, append a LoginShape:

    LoginShape(
        name="feathers",                     # pytest id
        login=feathers_login,                # async (client, login, password) -> httpx.Response
        token=lambda body: body["accessToken"],  # the access token in a 2xx body
        ok=201,                              # status of a successful login
        refused=Answer(401, {...}),          # unknown user, wrong password, disabled user
        expired=Answer(403, {...}),          # right password, but it has expired
        throttled=Answer(429, {...}),        # too many failures; Retry-After is checked here
    )

An Answer is a status, the exact JSON body and headers that must be present. Every case
also checks that no token was issued: the exact body leaves no room for one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from authgate.core.models import UserChanges
from tests.factories import bearer

Login = Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]
FAILURES_ALLOWED = 3


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoginShape:
    name: str
    login: Login
    token: Callable[[dict[str, Any]], str]
    refused: Answer
    expired: Answer
    throttled: Answer
    ok: int = 200


async def v1_login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"username": login, "password": password})


async def legacy_login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/user/login", json={"username": login, "password": password})


async def form_login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", data={"username": login, "password": password})


async def feathers_login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post(
        "/authentication", json={"strategy": "local", "email": login, "password": password}
    )


def feathers_error(name: str, code: int, class_name: str, message: str) -> dict[str, Any]:
    return {"name": name, "message": message, "code": code, "className": class_name, "errors": {}}


TOO_MANY = "Too many attempts, try again later"
DIALECTS = [
    LoginShape(
        name="v1",
        login=v1_login,
        token=lambda body: body["token"],
        refused=Answer(401, {"error": "Invalid credentials"}),
        expired=Answer(403, {"error": "Password expired"}),
        throttled=Answer(429, {"error": TOO_MANY}),
    ),
    LoginShape(
        name="legacy",
        login=legacy_login,
        token=lambda body: body["Token"],
        refused=Answer(401, {"message": "Incorrect credentials"}),
        expired=Answer(403, {"message": "Password expired"}),
        throttled=Answer(429, {"message": TOO_MANY}),
    ),
    LoginShape(
        name="form",
        login=form_login,
        token=lambda body: body["access_token"],
        refused=Answer(
            401, {"detail": "Incorrect username or password"}, {"www-authenticate": "Bearer"}
        ),
        expired=Answer(403, {"detail": "Password expired"}),
        throttled=Answer(429, {"detail": TOO_MANY}),
    ),
    LoginShape(
        name="feathers",
        login=feathers_login,
        token=lambda body: body["accessToken"],
        ok=201,
        refused=Answer(
            401, feathers_error("NotAuthenticated", 401, "not-authenticated", "Invalid login")
        ),
        expired=Answer(403, feathers_error("Forbidden", 403, "forbidden", "Password expired")),
        throttled=Answer(
            429, feathers_error("TooManyRequests", 429, "too-many-requests", TOO_MANY)
        ),
    ),
]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"throttle_account_failures": FAILURES_ALLOWED}


@pytest.fixture(params=DIALECTS, ids=lambda shape: shape.name)
def shape(request: pytest.FixtureRequest) -> LoginShape:
    return request.param


def assert_answer(response: httpx.Response, expected: Answer) -> None:
    assert response.status_code == expected.status, response.text
    assert response.json() == expected.body
    for name, value in expected.headers.items():
        assert response.headers.get(name) == value


async def test_right_password_logs_in(client, users, shape):
    alice = await users()
    response = await shape.login(client, alice.username, alice.password)
    assert response.status_code == shape.ok, response.text
    me = await client.get("/api/v1/auth/me", headers=bearer(shape.token(response.json())))
    assert me.json()["id"] == alice.id


async def test_unknown_user_is_refused(client, shape):
    assert_answer(await shape.login(client, "nobody", "Whatever-123"), shape.refused)


async def test_wrong_password_is_refused_like_an_unknown_user(client, users, shape):
    alice = await users()
    assert_answer(await shape.login(client, alice.username, "wrong-password"), shape.refused)


async def test_disabled_user_is_refused_like_a_wrong_password(client, users, services, shape):
    alice = await users()
    await services.core.accounts.update_user(alice.id, UserChanges(disabled=True))
    assert_answer(await shape.login(client, alice.username, alice.password), shape.refused)


async def test_expired_password_is_403_without_a_token(client, users, services, shape):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    assert_answer(await shape.login(client, alice.username, alice.password), shape.expired)


async def test_expired_password_with_a_wrong_guess_says_nothing_about_expiry(
    client, users, services, shape
):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    assert_answer(await shape.login(client, alice.username, "wrong-password"), shape.refused)


async def test_throttled_client_is_429_with_retry_after_even_with_the_right_password(
    client, users, shape
):
    alice = await users()
    for _ in range(FAILURES_ALLOWED):
        assert_answer(await shape.login(client, alice.username, "wrong-password"), shape.refused)
    response = await shape.login(client, alice.username, alice.password)
    assert_answer(response, shape.throttled)
    assert int(response.headers["retry-after"]) >= 1


async def test_throttling_counts_failures_across_dialects(client, users):
    # One counter in the core: failures in one dialect block the login in every other.
    alice = await users()
    for shape, _ in zip(DIALECTS * FAILURES_ALLOWED, range(FAILURES_ALLOWED), strict=False):
        assert_answer(await shape.login(client, alice.username, "wrong-password"), shape.refused)
    for shape in DIALECTS:
        assert_answer(await shape.login(client, alice.username, alice.password), shape.throttled)
