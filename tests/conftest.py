"""Fixtures: the real app over HTTP on the real database.

The database is a fresh SQLite file per test, or, when AUTHGATE_TEST_DATABASE_URL is
set, that PostgreSQL database migrated once and emptied before each test. Throttle
counters go to Redis when AUTHGATE_TEST_REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text

from authgate.app import create_app
from authgate.config import Settings
from authgate.container import Services
from authgate.storage.sql import migrate
from authgate.storage.sql.engine import create_engine
from authgate.storage.sql.tables import metadata
from tests.factories import UserFactory

PG_URL = os.environ.get("AUTHGATE_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("AUTHGATE_TEST_REDIS_URL")
# Cheapest argon2id so the suite stays fast; test_passwords pins the production cost.
FAST_HASH = {"argon2_memory_kib": 8192, "argon2_time_cost": 1, "argon2_parallelism": 1}


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[None]:
    if PG_URL is None:
        yield
        return

    async def prepare() -> None:
        engine = create_engine(PG_URL)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    yield


async def _empty_postgres() -> None:
    assert PG_URL is not None
    engine = create_engine(PG_URL)
    try:
        async with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _postgres_schema: None) -> str:
    if PG_URL is not None:
        asyncio.run(_empty_postgres())
        return PG_URL
    return f"sqlite:///{tmp_path / 'authgate.db'}"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change settings."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": REDIS_URL,
        "redis_prefix": f"authgate-test:{uuid.uuid4().hex}:",
        "secret_key": "test-secret-" + "x" * 40,
        "revocation_poll_interval": 0.05,
        **FAST_HASH,
        **settings_overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
def services(app: FastAPI) -> Services:
    result: Services = app.state.services
    return result


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def users(services: Services) -> UserFactory:
    return UserFactory(services)
