"""The buffer between the hot path and the table: batches, shutdown, failures, retention."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asgi_lifespan import LifespanManager

from authgate.app import create_app
from authgate.core.audit import AuditQuery, AuditTrail
from authgate.core.errors import BackendUnavailable
from authgate.storage.sql import migrate
from authgate.storage.sql.audit import SqlAuditStore
from authgate.storage.sql.engine import create_engine
from tests.audit.support import API, rows
from tests.factories import v1_login


@pytest.fixture
async def store(database_url):
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield SqlAuditStore(engine)
    await engine.dispose()


async def stored(store):
    return list(await store.search(AuditQuery(limit=500)))


async def test_rows_wait_in_the_buffer_until_a_batch_or_the_interval(store):
    trail = AuditTrail(store, batch_size=3, interval=3600)
    runner = asyncio.create_task(trail.run())
    try:
        trail.record("login", user_id="u1")
        trail.record("logout", user_id="u1")
        await asyncio.sleep(0.05)
        assert trail.pending == 2 and await stored(store) == []
        trail.record("refresh", user_id="u2")  # the batch is full: written without waiting
        for _ in range(100):
            if trail.pending == 0:
                break
            await asyncio.sleep(0.01)
        assert [r.event for r in await stored(store)] == ["refresh", "logout", "login"]
    finally:
        trail.stop()
        await runner


async def test_stop_then_flush_writes_what_is_left(store):
    trail = AuditTrail(store, interval=3600)
    runner = asyncio.create_task(trail.run())
    trail.record("logout", user_id="u1")
    trail.stop()
    await runner
    await trail.flush()
    assert [r.user_id for r in await stored(store)] == ["u1"]


async def test_a_full_buffer_is_written_by_the_next_request_not_dropped(store):
    trail = AuditTrail(store, batch_size=100, interval=3600, max_pending=3)
    for n in range(3):
        trail.record("login", user_id=f"u{n}")
    await trail.make_room()
    assert trail.pending == 0
    assert len(await stored(store)) == 3


class FailingOnce:
    """A real store whose first write fails as a database outage would."""

    def __init__(self, inner: SqlAuditStore) -> None:
        self.inner = inner
        self.failed = False

    async def add_many(self, events):
        if not self.failed:
            self.failed = True
            raise BackendUnavailable
        await self.inner.add_many(events)

    async def search(self, query):
        return await self.inner.search(query)

    async def prune(self, before):
        return await self.inner.prune(before)


async def test_a_failed_write_keeps_the_rows_for_the_next_try(store):
    trail = AuditTrail(FailingOnce(store), interval=3600)
    trail.record("login", user_id="u1")
    with pytest.raises(BackendUnavailable):
        await trail.flush()
    assert trail.pending == 1
    trail.record("logout", user_id="u1")
    assert await trail.flush() == 2
    assert [r.event for r in await stored(store)] == ["logout", "login"]


class RefusingPoison:
    """A real store that refuses one row as a database refuses bad data."""

    def __init__(self, inner: SqlAuditStore) -> None:
        self.inner = inner

    async def add_many(self, events):
        if any(e.event == "poison" for e in events):
            raise ValueError("refused")
        await self.inner.add_many(events)

    async def search(self, query):
        return await self.inner.search(query)

    async def prune(self, before):
        return await self.inner.prune(before)


async def test_one_refused_row_does_not_block_the_others(store, caplog):
    trail = AuditTrail(RefusingPoison(store), interval=3600)
    trail.record("login", user_id="u1")
    trail.record("poison", user_id="u2")
    trail.record("logout", user_id="u3")
    assert await trail.flush() == 3
    assert trail.pending == 0
    assert [r.user_id for r in await stored(store)] == ["u3", "u1"]
    assert "audit row refused by the database: poison" in caplog.text


async def test_the_app_writes_its_buffer_on_shutdown(settings):
    app = create_app(settings)
    async with LifespanManager(app):
        services = app.state.services
        # Only shutdown may write: the flusher would otherwise do it within 200 ms.
        services.core.ctx.trail.interval = 3600
        await asyncio.sleep(0.3)  # the wait begun before the change ends
        services.core.ctx.trail.record("logout", user_id="shutdown-check")
        await asyncio.sleep(0.1)
        assert services.core.ctx.trail.pending == 1
    engine = create_engine(settings.database_url)
    try:
        found = await SqlAuditStore(engine).search(AuditQuery(user_id="shutdown-check"))
    finally:
        await engine.dispose()
    assert [r.event for r in found] == ["logout"]


@pytest.mark.parametrize("settings_overrides", [{"audit_retention_days": 30}])
async def test_rows_older_than_the_retention_are_pruned(
    client, users, services, time_machine, settings_overrides
):
    alice = await users()
    now = datetime.now(UTC)
    time_machine.move_to(now - timedelta(days=31))
    await v1_login(client, alice)
    time_machine.move_to(now - timedelta(days=29))
    await v1_login(client, alice)
    time_machine.move_to(now)
    assert len(await rows(services, event="login")) == 2
    await services.prune()
    (kept,) = await rows(services, event="login")
    assert now - timedelta(days=30) < kept.occurred_at < now - timedelta(days=28)


@pytest.mark.parametrize("settings_overrides", [{"audit_retention_days": 0}])
async def test_retention_zero_keeps_everything(
    client, users, services, time_machine, settings_overrides
):
    alice = await users()
    now = datetime.now(UTC)
    time_machine.move_to(now - timedelta(days=3650))
    await v1_login(client, alice)
    time_machine.move_to(now)
    await services.prune()
    assert len(await rows(services, event="login")) == 1


async def test_a_read_sees_what_this_process_just_did(client, users, services):
    admin = await users(is_admin=True)
    token = (await v1_login(client, admin))["token"]
    services.core.ctx.trail.interval = 3600  # the read itself must flush
    await asyncio.sleep(0.3)  # the wait begun before the change ends
    await client.post(f"{API}/logout-all", headers={"Authorization": f"Bearer {token}"})
    created = await users(is_admin=True)
    token = (await v1_login(client, created))["token"]
    response = await client.get(
        f"{API}/audit", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json()["events"][0]["event"] == "login"
    assert response.json()["events"][0]["userId"] == created.id
