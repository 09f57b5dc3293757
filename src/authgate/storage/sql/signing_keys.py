"""SqlSigningKeyStore: the signing-key table, each call its own transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from authgate.core.signing import StoredKey
from authgate.storage.sql.repos import upsert_insert
from authgate.storage.sql.tables import signing_key
from authgate.storage.sql.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncEngine


class SqlSigningKeyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list(self) -> Sequence[StoredKey]:
        async with SqlUnitOfWork(self._engine) as uow:
            rows = await uow.connection.execute(
                select(signing_key).order_by(signing_key.c.created_at, signing_key.c.kid)
            )
            return [StoredKey(**row._mapping) for row in rows]

    async def add(self, key: StoredKey) -> bool:
        values = {name: getattr(key, name) for name in StoredKey.__dataclass_fields__}
        async with SqlUnitOfWork(self._engine) as uow:
            conn = uow.connection
            statement = upsert_insert(conn, signing_key).values(**values)
            result = await conn.execute(statement.on_conflict_do_nothing(index_elements=["slot"]))
            if not result.rowcount:
                return False
            await conn.execute(
                update(signing_key)
                .where(signing_key.c.kid != key.kid, signing_key.c.retired_at.is_(None))
                .values(retired_at=key.activates_at)
            )
            return True

    async def prune(self, retired_before: datetime) -> int:
        async with SqlUnitOfWork(self._engine) as uow:
            result = await uow.connection.execute(
                delete(signing_key).where(signing_key.c.retired_at < retired_before)
            )
            return int(result.rowcount)
