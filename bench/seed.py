"""Bulk seeding of authgate's database: plain SQL inserts sharing one precomputed hash.

A million argon2 hashes would take hours; every seeded user has the same password, so one
hash serves them all (each login still verifies it in full).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text

from authgate.core.identity import login_key
from authgate.storage.sql import migrate
from authgate.storage.sql.engine import create_engine
from authgate.storage.sql.tables import metadata, user_account

CHUNK = 20_000


async def reset(database_url: str) -> None:
    """Migrate, then empty every table (the harness's database must be its own)."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                names = ", ".join(t.name for t in metadata.sorted_tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(metadata.sorted_tables):
                    await conn.execute(table.delete())
    finally:
        await engine.dispose()


async def add_users(database_url: str, first: int, last: int, password_hash: str) -> float:
    """Users bench<first>..bench<last>; returns the seconds it took."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    engine = create_engine(database_url)
    try:
        for start in range(first, last + 1, CHUNK):
            rows = [
                {
                    "id": str(uuid.uuid4()),
                    "username": f"bench{i}",
                    "username_key": login_key(f"bench{i}"),
                    "email": f"bench{i}@example.com",
                    "email_key": login_key(f"bench{i}@example.com"),
                    "is_admin": False,
                    "disabled": False,
                    "password_hash": password_hash,
                    "created_at": now,
                    "updated_at": now,
                    "password_changed_at": now,
                }
                for i in range(start, min(start + CHUNK, last + 1))
            ]
            async with engine.begin() as conn:
                await conn.execute(insert(user_account), rows)
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(text("ANALYZE user_account"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def count_users(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(user_account))).scalar_one()
            )
    finally:
        await engine.dispose()
