"""One database transaction per unit of work; repos share its connection and never commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from authgate.core.errors import BackendUnavailable
from authgate.storage.sql.engine import READ_ONLY
from authgate.storage.sql.repos import (
    SqlApiKeyRepo,
    SqlEventRepo,
    SqlRefreshTokenRepo,
    SqlSecretRepo,
    SqlSessionRepo,
    SqlUserRepo,
)

if TYPE_CHECKING:
    from types import TracebackType

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_UNAVAILABLE = (OperationalError, OSError, TimeoutError, ConnectionError)


def is_outage(error: BaseException) -> bool:
    """Whether a driver error means the database is down rather than a bug."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _UNAVAILABLE) and not isinstance(error, IntegrityError)


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: AsyncConnection | None = None

    @property
    def connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._conn

    async def __aenter__(self) -> SqlUnitOfWork:
        try:
            conn = await self._engine.connect()
            if self._read_only:
                conn = await conn.execution_options(**READ_ONLY)
            await conn.begin()
        except Exception as e:
            if is_outage(e):
                raise BackendUnavailable from e
            raise
        self._conn = conn
        self.users = SqlUserRepo(conn)
        self.sessions = SqlSessionRepo(conn)
        self.refresh_tokens = SqlRefreshTokenRepo(conn)
        self.api_keys = SqlApiKeyRepo(conn)
        self.events = SqlEventRepo(conn)
        self.secrets = SqlSecretRepo(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        try:
            if exc is None:
                await conn.commit()
            else:
                await conn.rollback()
        except Exception as e:
            if is_outage(e):
                raise BackendUnavailable from e
            raise
        finally:
            await conn.close()
        if exc is not None and is_outage(exc):
            raise BackendUnavailable from exc


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only)
