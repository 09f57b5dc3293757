"""Password expiry end to end: refused in every dialect, changed with the old password.

CHANGERS has one row per dialect's password endpoint; the login side reuses the
login-rule table, so a dialect added there is one row here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from tests.dialects.test_login_rule import DIALECTS, LoginShape, assert_answer
from tests.factories import bearer, v1_login

NEW_PASSWORD = "correct-Horse-battery-9"


@dataclass(frozen=True)
class PasswordChanger:
    name: str
    change: Callable[[httpx.AsyncClient, str, str, str], Awaitable[httpx.Response]]
    message_key: str  # where the dialect's error body puts its sentence

    @property
    def login(self) -> LoginShape:
        return next(shape for shape in DIALECTS if shape.name == self.name)


async def v1_change(client, login, old, new):
    body = {"username": login, "password": old, "newPassword": new}
    return await client.post("/api/v1/auth/password", json=body)


async def legacy_change(client, login, old, new):
    body = {"username": login, "password": old, "newPassword": new}
    return await client.post("/user/password", json=body)


async def form_change(client, login, old, new):
    body = {"username": login, "password": old, "new_password": new}
    return await client.post("/auth/password", data=body)


CHANGERS = [
    PasswordChanger("v1", v1_change, "error"),
    PasswordChanger("legacy", legacy_change, "message"),
    PasswordChanger("form", form_change, "detail"),
]


@pytest.fixture(params=CHANGERS, ids=lambda changer: changer.name)
def changer(request: pytest.FixtureRequest) -> PasswordChanger:
    return request.param


async def test_expired_password_is_changed_with_the_old_one_then_login_works(
    client, users, services, changer
):
    alice = await users()
    other_session = await v1_login(client, alice)
    await services.core.accounts.expire_password(alice.id)
    shape = changer.login
    assert_answer(await shape.login(client, alice.username, alice.password), shape.expired)

    changed = await changer.change(client, alice.username, alice.password, NEW_PASSWORD)
    assert changed.status_code == 200, changed.text

    # Every other session of the user has ended.
    gone = await client.get("/api/v1/auth/me", headers=bearer(other_session["token"]))
    assert gone.status_code == 401
    again = await client.post(
        "/api/v1/auth/refresh", json={"refreshToken": other_session["refreshToken"]}
    )
    assert again.status_code == 401
    # The new password logs in, the old one no longer does.
    response = await shape.login(client, alice.username, NEW_PASSWORD)
    assert response.status_code == shape.ok, response.text
    assert_answer(await shape.login(client, alice.username, alice.password), shape.refused)


async def test_a_live_password_is_changed_the_same_way(client, users, changer):
    alice = await users()
    changed = await changer.change(client, alice.email, alice.password, NEW_PASSWORD)
    assert changed.status_code == 200, changed.text
    response = await changer.login.login(client, alice.username, NEW_PASSWORD)
    assert response.status_code == changer.login.ok


@pytest.mark.parametrize(
    ("new_password", "says"),
    [
        ("same", "differ"),
        ("Short1!", "at least 8"),
        ("password1", "too common"),
        ("QWERTYUIOP", "too common"),
        ("iloveyou", "too common"),
        ("        ", "blank"),
    ],
)
async def test_a_refused_new_password_is_400_and_changes_nothing(
    client, users, services, changer, new_password, says
):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    new = alice.password if new_password == "same" else new_password
    response = await changer.change(client, alice.username, alice.password, new)
    assert response.status_code == 400, response.text
    assert says in response.json()[changer.message_key]
    shape = changer.login
    assert_answer(await shape.login(client, alice.username, alice.password), shape.expired)


async def test_the_old_password_must_be_right(client, users, services, changer):
    alice = await users()
    await services.core.accounts.expire_password(alice.id)
    response = await changer.change(client, alice.username, "not-the-password", NEW_PASSWORD)
    assert_answer(response, changer.login.refused)
    refused = await changer.login.login(client, alice.username, NEW_PASSWORD)
    assert_answer(refused, changer.login.refused)


async def test_an_unknown_user_cannot_change_a_password(client, changer):
    response = await changer.change(client, "nobody", "Whatever-123", NEW_PASSWORD)
    assert_answer(response, changer.login.refused)


@pytest.mark.parametrize("settings_overrides", [{"password_max_age_days": 30}])
async def test_max_age_sets_the_expiry_on_every_change(client, users, services, changer):
    alice = await users()
    changed = await changer.change(client, alice.username, alice.password, NEW_PASSWORD)
    assert changed.status_code == 200
    user = await services.core.accounts.get_user(alice.id)
    expected = datetime.now(UTC) + timedelta(days=30)
    assert abs(user.password_expires_at - expected) < timedelta(minutes=1)
    shape = changer.login
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31)):
        response = await shape.login(client, alice.username, NEW_PASSWORD)
    assert_answer(response, shape.expired)
