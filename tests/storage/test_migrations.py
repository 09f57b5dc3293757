"""Migrations: head matches the models exactly, and the way down works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from authgate.storage.sql import migrate
from authgate.storage.sql.engine import create_engine
from authgate.storage.sql.tables import metadata


def _diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


def _tables(connection):
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_then_downgrade_empties(database_url):
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        await migrate.upgrade(engine)  # a second start finds head and does nothing
        assert await migrate.is_current(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        await migrate.downgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) <= {"alembic_version"}
    finally:
        await migrate.upgrade(engine)  # leave the shared PostgreSQL schema as the suite expects
        await engine.dispose()
