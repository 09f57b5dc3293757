"""Throttle counters in the database: one row per key, changed under a row lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from authgate.core.clock import epoch
from authgate.core.errors import BackendUnavailable
from authgate.core.throttle import Change, ThrottleState
from authgate.storage.sql.engine import READ_ONLY
from authgate.storage.sql.repos import upsert_insert
from authgate.storage.sql.tables import throttle_counter
from authgate.storage.sql.uow import SqlUnitOfWork, is_outage

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_LOCK_ATTEMPTS = 5


def _storable(key: str) -> str:
    # PostgreSQL text cannot hold NUL; such a key names no account, but is still counted.
    return key.replace("\x00", "\ufffd")


class SqlThrottleStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def read(self, key: str) -> ThrottleState | None:
        key = _storable(key)
        try:
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(**READ_ONLY)
                row = (
                    await conn.execute(
                        select(throttle_counter).where(throttle_counter.c.key == key)
                    )
                ).one_or_none()
        except Exception as e:
            if is_outage(e):
                raise BackendUnavailable from e
            raise
        if row is None:
            return None
        return ThrottleState(
            count=row._mapping["count"],
            strikes=row.strikes,
            blocked_until=row.blocked_until,
            last_at=row.last_at,
        )

    async def update(self, key: str, change: Change, ttl: int) -> float:
        key = _storable(key)
        # The row is created first so that SELECT ... FOR UPDATE has something to lock on
        # PostgreSQL; on SQLite the transaction is already BEGIN IMMEDIATE (exclusive).
        async with SqlUnitOfWork(self._engine) as uow:
            conn = uow.connection
            now = epoch()
            row = None
            # A concurrent success may delete the row between our insert and our lock
            # (PostgreSQL, READ COMMITTED): the lock then finds nothing, so insert again.
            for _ in range(_LOCK_ATTEMPTS):
                row = await self._lock_row(conn, key, now + ttl)
                if row is not None:
                    break
            if row is None:
                raise BackendUnavailable("throttle counter kept disappearing")
            state = ThrottleState(
                count=row._mapping["count"],
                strikes=row.strikes,
                blocked_until=row.blocked_until,
                last_at=row.last_at,
            )
            new_state, wait = change(state)
            if new_state is None:
                await conn.execute(delete(throttle_counter).where(throttle_counter.c.key == key))
            else:
                await conn.execute(
                    update(throttle_counter)
                    .where(throttle_counter.c.key == key)
                    .values(
                        count=new_state.count,
                        strikes=new_state.strikes,
                        blocked_until=new_state.blocked_until,
                        last_at=new_state.last_at,
                        expires_at=now + ttl,
                    )
                )
            return wait

    async def _lock_row(
        self, conn: AsyncConnection, key: str, expires_at: float
    ) -> Row[Any] | None:
        """The counter row, created if missing, locked until commit; None if it vanished."""
        await conn.execute(
            upsert_insert(conn, throttle_counter)
            .values(
                key=key,
                count=0,
                strikes=0,
                blocked_until=0.0,
                last_at=0.0,
                expires_at=expires_at,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        query = select(throttle_counter).where(throttle_counter.c.key == key).with_for_update()
        return (await conn.execute(query)).first()
