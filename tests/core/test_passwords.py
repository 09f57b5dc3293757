"""Password hashing: production cost pinned, imported hashes verify and are upgraded."""

from __future__ import annotations

import threading

import bcrypt
from argon2 import PasswordHasher as Argon2
from argon2 import Type

from authgate.config import Settings
from authgate.core.passwords import PasswordHasher
from tests.factories import bearer


def test_production_parameters_are_owasp_argon2id():
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism) == (
        19456,
        2,
        1,
    )


async def test_hash_is_argon2id_and_runs_off_the_event_loop(monkeypatch):
    hasher = PasswordHasher(memory_kib=19456, time_cost=2, parallelism=1, threads=2)
    loop_thread = threading.get_ident()
    seen = []
    original = hasher._hash.hash

    def spy(password):
        seen.append(threading.get_ident())
        return original(password)

    monkeypatch.setattr(hasher._hash, "hash", spy)
    stored = await hasher.hash("a-password-123")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert seen and seen[0] != loop_thread


async def _import_hash(services, made, password_hash):
    from dataclasses import replace

    async with services.core.ctx.uow() as uow:
        user = await uow.users.find(made.id)
        await uow.users.update(replace(user, password_hash=password_hash))


async def _stored_hash(services, user_id):
    async with services.core.ctx.uow() as uow:
        return (await uow.users.find(user_id)).password_hash


async def test_bcrypt_hash_verifies_and_is_upgraded_on_login(client, users, services):
    made = await users()
    await _import_hash(
        services, made, bcrypt.hashpw(b"legacy-bcrypt-pass", bcrypt.gensalt(4)).decode()
    )
    response = await client.post(
        "/api/v1/auth/login", json={"username": made.username, "password": "legacy-bcrypt-pass"}
    )
    assert response.status_code == 200
    assert (await _stored_hash(services, made.id)).startswith("$argon2id$")
    me = await client.get("/api/v1/auth/me", headers=bearer(response.json()["token"]))
    assert me.status_code == 200


async def test_bcrypt_truncation_is_not_honoured(client, users, services):
    made = await users()
    long_password = "x" * 72
    await _import_hash(
        services, made, bcrypt.hashpw(long_password.encode(), bcrypt.gensalt(4)).decode()
    )
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": made.username, "password": long_password + "anything"},
    )
    assert response.status_code == 401


async def test_weaker_argon2_hash_is_upgraded_on_login(client, users, services):
    made = await users()
    old = Argon2(time_cost=1, memory_cost=8, parallelism=1, type=Type.I).hash("old-argon2-pass")
    await _import_hash(services, made, old)
    response = await client.post(
        "/api/v1/auth/login", json={"username": made.username, "password": "old-argon2-pass"}
    )
    assert response.status_code == 200
    assert (await _stored_hash(services, made.id)) != old
    assert (await _stored_hash(services, made.id)).startswith("$argon2id$")


async def test_unreadable_stored_hash_never_matches(client, users, services):
    made = await users()
    await _import_hash(services, made, "plaintext-from-a-bad-import")
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": made.username, "password": "plaintext-from-a-bad-import"},
    )
    assert response.status_code == 401
