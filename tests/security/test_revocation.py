"""A real token after its session ended: logout, password change, user disabled or deleted.

Each revocation goes through the dialect's own logout where it has one (seed 002 has
none: /api/v1/auth/logout ends the same session), so every dialect's logout is shown
to kill the token in every other dialect too.
"""

from __future__ import annotations

import pytest

from authgate.core.models import UserChanges
from tests.factories import bearer
from tests.security.harness import TOKEN_DIALECTS, Target, Why, aim


async def _logout(target: Target, services) -> None:
    client, token = target.client, target.tokens.access
    name = target.dialect.name
    if name.startswith("feathers"):
        response = await client.delete("/authentication", headers=bearer(token))
    elif name == "form":
        response = await client.post("/auth/logout", headers=bearer(token))
    elif name == "oauth":
        response = await client.post("/oauth/revoke", data={"token": token})
    else:
        response = await client.post("/api/v1/auth/logout", headers=bearer(token))
    assert response.status_code == 200, response.text


async def _change_password(target: Target, services) -> None:
    response = await target.client.post(
        "/api/v1/auth/password",
        json={
            "username": target.user.username,
            "password": target.user.password,
            "newPassword": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 200, response.text


async def _disable(target: Target, services) -> None:
    await services.core.accounts.update_user(target.user.id, UserChanges(disabled=True))


async def _delete(target: Target, services) -> None:
    await services.core.accounts.delete_user(target.user.id)


EVENTS = {
    "after_logout": _logout,
    "after_password_change": _change_password,
    "after_user_disabled": _disable,
    "after_user_deleted": _delete,
}


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("event", list(EVENTS))
async def test_token_of_an_ended_session_is_refused(
    event, dialect, client, users, services, db_unchanged
):
    target = await aim(dialect, client, users)
    await EVENTS[event](target, services)
    async with db_unchanged():
        response = await target.present(target.tokens.access)
    target.refusal(Why.REVOKED).check(response)
