"""Engines from the operator's URL, with the SQLite settings a server needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from authgate.core.errors import InvalidRequest

SQLITE_BUSY_TIMEOUT_MS = 10_000


def async_url(url: str) -> str:
    """`sqlite:///x` and `postgresql://...` as the async drivers want them."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


_READ_ONLY_OPTION = "authgate_read_only"
# Execution options of a connection whose transaction only reads.
READ_ONLY = {_READ_ONLY_OPTION: True}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(async_url(url), **kwargs)
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_nul)
    if is_sqlite(engine):
        _configure_sqlite(engine)
    return engine


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    """Refuse text with a NUL character before it reaches the database: the last guard.

    PostgreSQL cannot hold U+0000 in text and its driver raises (a 500 the fuzz found on
    every lookup: a username, an id in a path, a filter); SQLite would just find nothing.
    The repositories answer lookups by such a value as "not found" without asking
    (`repos.storable`) and the core refuses names with control characters; whatever else
    would still carry a NUL to the database is a bad request on both backends alike.
    """
    if _has_nul(parameters):
        raise InvalidRequest("text must not contain NUL characters")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); the driver's implicit BEGIN would be DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A DEFERRED transaction that reads and then writes fails at once with
        # SQLITE_BUSY when another writer got in between; IMMEDIATE waits instead.
        # One that only reads never upgrades, and in WAL mode it neither waits for
        # the writer nor holds it up: it starts DEFERRED.
        if connection.get_execution_options().get(_READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
