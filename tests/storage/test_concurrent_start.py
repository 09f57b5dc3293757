"""Several processes migrating one empty database at once all succeed, and migrate once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from authgate.storage.sql.engine import create_engine
from tests.servers import AUTHGATE, cli_env

PG_URL = os.environ.get("AUTHGATE_TEST_DATABASE_URL")


async def _pg_admin(statement: str) -> None:
    import asyncpg

    assert PG_URL is not None
    conn = await asyncpg.connect(
        make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    if PG_URL is None:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"authgate_start_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _versions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
    finally:
        await engine.dispose()


def test_parallel_first_starts_migrate_once(empty_database, tmp_path):
    env = cli_env(empty_database)
    processes = [
        subprocess.Popen(
            [AUTHGATE, "migrate"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "schema is up to date" in out
    assert len(asyncio.run(_versions(empty_database))) == 1
