"""SqlAuditStore: the audit_event table, each call its own short transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, insert, or_, select

from authgate.core.audit import AuditEvent
from authgate.storage.sql.tables import audit_event
from authgate.storage.sql.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncEngine

    from authgate.core.audit import AuditQuery


class SqlAuditStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_many(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        rows = [
            {
                "occurred_at": e.occurred_at,
                "event": e.event,
                "outcome": e.outcome,
                "user_id": e.user_id,
                "session_id": e.session_id,
                "client_ip": e.client_ip,
                "user_agent": e.user_agent,
                "detail": dict(e.detail),
            }
            for e in events
        ]
        async with SqlUnitOfWork(self._engine) as uow:
            await uow.connection.execute(insert(audit_event), rows)

    async def search(self, query: AuditQuery) -> Sequence[AuditEvent]:
        c = audit_event.c
        conditions: list[Any] = []
        if query.user_id is not None:
            conditions.append(c.user_id == query.user_id)
        if query.event is not None:
            conditions.append(c.event == query.event)
        if query.outcome is not None:
            conditions.append(c.outcome == query.outcome)
        if query.since is not None:
            conditions.append(c.occurred_at >= query.since)
        if query.until is not None:
            conditions.append(c.occurred_at <= query.until)
        if query.after is not None:
            # Keyset, newest first: strictly older, or as old with a smaller id.
            at, last_id = query.after.occurred_at, query.after.id
            conditions.append(or_(c.occurred_at < at, and_(c.occurred_at == at, c.id < last_id)))
        statement = (
            select(audit_event)
            .where(*conditions)
            .order_by(c.occurred_at.desc(), c.id.desc())
            .limit(query.limit + 1)
        )
        async with SqlUnitOfWork(self._engine) as uow:
            rows = (await uow.connection.execute(statement)).all()
        return [AuditEvent(**row._mapping) for row in rows]

    async def prune(self, before: datetime) -> int:
        async with SqlUnitOfWork(self._engine) as uow:
            result = await uow.connection.execute(
                delete(audit_event).where(audit_event.c.occurred_at < before)
            )
            return int(result.rowcount)
