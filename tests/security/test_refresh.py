"""Refresh tokens: reuse after rotation, racing rotations, and the wrong kind of token.

API.md §1: a rotated refresh token that comes back is theft, so its whole session ends;
of two (or fifty) refreshes racing with one token exactly one wins, and since the others
present a token that is by then rotated, they end the session too: there is no grace.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from authgate.core.models import UserChanges
from authgate.storage.sql.tables import auth_session
from tests.factories import bearer, v1_create_key
from tests.security.harness import REFRESH_WAYS, Target, Why, aim

SQL_AND_WILDCARDS = ["' OR '1'='1", "'; DROP TABLE refresh_token; --", "%", "*"]
ways = pytest.mark.parametrize("way", REFRESH_WAYS, ids=lambda w: w.name)


async def _session_revoked(services, user_id: str) -> bool:
    async with services.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(auth_session.c.revoked_at).where(auth_session.c.user_id == user_id)
            )
        ).all()
    return bool(rows) and all(row.revoked_at is not None for row in rows)


async def _dead(way, target: Target, access: str, refresh: str, db_unchanged) -> None:
    """Neither token of the session works any more, and trying changes nothing."""
    async with db_unchanged():
        again = await way.refresh(target.client, refresh)
        used = await target.present(access)
    way.refusal.check(again)
    target.refusal(Why.REVOKED).check(used)


@ways
async def test_reused_rotated_refresh_token_ends_the_whole_session(
    way, client, users, services, db_unchanged
):
    target = await aim(way.dialect, client, users)
    first = target.tokens.refresh
    rotated = await way.refresh(client, first)
    assert rotated.status_code == 200, rotated.text
    successor = rotated.json()
    reused = await way.refresh(client, first)
    way.refusal.check(reused)
    assert await _session_revoked(services, target.user.id)
    await _dead(
        way, target, successor[way.access_field], successor[way.refresh_field], db_unchanged
    )


@ways
async def test_fifty_concurrent_refreshes_one_wins_and_the_session_dies(
    way, client, users, services, db_unchanged
):
    target = await aim(way.dialect, client, users)
    token = target.tokens.refresh
    responses = await asyncio.gather(*(way.refresh(client, token) for _ in range(50)))
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [r.status_code for r in responses]
    for loser in (r for r in responses if r.status_code != 200):
        way.refusal.check(loser)
    assert await _session_revoked(services, target.user.id)
    won = winners[0].json()
    await _dead(way, target, won[way.access_field], won[way.refresh_field], db_unchanged)


@ways
async def test_access_token_as_refresh_token_is_refused(way, client, users, db_unchanged):
    target = await aim(way.dialect, client, users)
    async with db_unchanged():
        response = await way.refresh(client, target.tokens.access)
    way.refusal.check(response)


@ways
async def test_api_key_as_refresh_token_is_refused(way, client, users, db_unchanged):
    target = await aim(way.dialect, client, users)
    key = await v1_create_key(client, target.tokens.access)
    async with db_unchanged():
        response = await way.refresh(client, key)
    way.refusal.check(response)


@ways
@pytest.mark.parametrize("value", SQL_AND_WILDCARDS)
async def test_injection_strings_as_refresh_token_are_refused(
    value, way, client, users, db_unchanged
):
    await aim(way.dialect, client, users)
    async with db_unchanged():
        response = await way.refresh(client, value)
    way.refusal.check(response)


async def _logout(client, services, target):
    response = await client.post("/api/v1/auth/logout", headers=bearer(target.tokens.access))
    assert response.status_code == 200


async def _disable(client, services, target):
    await services.core.accounts.update_user(target.user.id, UserChanges(disabled=True))


async def _delete(client, services, target):
    await services.core.accounts.delete_user(target.user.id)


async def _password(client, services, target):
    await services.core.accounts.set_password(target.user.id, "a-brand-new-passphrase-42")


ENDINGS = {
    "after_logout": _logout,
    "after_password_change": _password,
    "after_user_disabled": _disable,
    "after_user_deleted": _delete,
}


@ways
@pytest.mark.parametrize("ending", list(ENDINGS))
async def test_refresh_token_of_an_ended_session_is_refused(
    ending, way, client, users, services, db_unchanged
):
    target = await aim(way.dialect, client, users)
    await ENDINGS[ending](client, services, target)
    async with db_unchanged():
        response = await way.refresh(client, target.tokens.refresh)
    way.refusal.check(response)
