"""Signing keys in the database: one key however many processes start at once, and the
private half unreadable without the secret."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from authgate.core.signing import KeyCipher, SigningKeyError, SigningKeyManager
from authgate.storage.sql import migrate
from authgate.storage.sql.engine import create_engine
from authgate.storage.sql.signing_keys import SqlSigningKeyStore
from authgate.storage.sql.tables import signing_key

SECRET = b"s" * 40


def manager(engine, secret=SECRET, algorithm="ES256"):
    return SigningKeyManager(
        SqlSigningKeyStore(engine),
        KeyCipher(secret),
        algorithm=algorithm,
        token_lifetime=3605,
        propagation_delay=60,
    )


@pytest.fixture
async def engines(database_url):
    # Separate engines, as separate processes would have.
    made = [create_engine(database_url) for _ in range(6)]
    await migrate.upgrade(made[0])
    yield made
    for engine in made:
        await engine.dispose()


async def test_concurrent_first_starts_make_one_key(engines):
    sets = await asyncio.gather(*(manager(e).ensure_key() for e in engines))
    assert len({frozenset(s.kids) for s in sets}) == 1
    assert len(await manager(engines[0]).list()) == 1


async def test_concurrent_rotations_leave_one_key_to_sign(engines):
    await manager(engines[0]).ensure_key()
    await asyncio.gather(*(manager(e).rotate() for e in engines))
    keys = await manager(engines[0]).list()
    # Rotations from the same state collapse into one key; later ones retire it in turn.
    assert 2 <= len(keys) <= 1 + len(engines)
    assert len([k for k in keys if k.retired_at is None]) == 1


async def test_private_key_is_encrypted_and_needs_the_secret(engines):
    await manager(engines[0]).ensure_key()
    async with engines[0].connect() as conn:
        stored = (await conn.execute(select(signing_key.c.private_key))).scalar_one()
    assert "PRIVATE KEY" not in stored and stored.startswith("aesgcm1.")
    with pytest.raises(SigningKeyError, match="AUTHGATE_SECRET_KEY"):
        await manager(engines[0], secret=b"another secret of enough length!!").load()


async def test_changing_algorithm_adds_a_key_and_retires_the_old(engines):
    first = await manager(engines[0], algorithm="RS256").ensure_key()
    second = await manager(engines[0], algorithm="EdDSA").ensure_key()
    assert first.kids < second.kids  # the RS256 key still verifies its tokens
    assert second.signing_key(10**10).algorithm == "EdDSA"
