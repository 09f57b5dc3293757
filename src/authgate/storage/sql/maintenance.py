"""Deleting what can no longer matter, so tables stay the size of the live data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete

from authgate.storage.sql.tables import (
    audit_event,
    auth_session,
    refresh_token,
    revocation_event,
    throttle_counter,
)
from authgate.storage.sql.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

# Dead sessions and tokens are kept a while for the session list and reuse detection.
_KEEP_DEAD = timedelta(days=7)


async def prune(
    engine: AsyncEngine,
    *,
    now: datetime,
    event_retention: timedelta,
    audit_retention: timedelta | None = None,
) -> None:
    """audit_retention None keeps audit rows forever."""
    async with SqlUnitOfWork(engine) as uow:
        conn = uow.connection
        if audit_retention is not None:
            await conn.execute(
                delete(audit_event).where(audit_event.c.occurred_at < now - audit_retention)
            )
        await conn.execute(
            delete(revocation_event).where(revocation_event.c.created_at < now - event_retention)
        )
        await conn.execute(
            delete(throttle_counter).where(throttle_counter.c.expires_at < now.timestamp())
        )
        await conn.execute(
            delete(refresh_token).where(refresh_token.c.expires_at < now - _KEEP_DEAD)
        )
        await conn.execute(delete(auth_session).where(auth_session.c.expires_at < now - _KEEP_DEAD))
