"""Password logins under attack, in every dialect: huge passwords, bcrypt's 72-byte
truncation, injection strings, and usernames that differ only in case or Unicode form."""

from __future__ import annotations

import time
from dataclasses import replace

import bcrypt
import pytest

from tests.security.harness import LOGIN_WAYS

ways = pytest.mark.parametrize("way", LOGIN_WAYS, ids=lambda w: w.name)


@pytest.fixture
def forbid_hashing(services, monkeypatch):
    """Call it to fail the test if any password is hashed or verified from then on."""

    def install() -> None:
        async def must_not_hash(*args):
            raise AssertionError("a refused password was hashed")

        for name in ("hash", "verify_and_update", "burn_time"):
            monkeypatch.setattr(services.core.ctx.hasher, name, must_not_hash)

    return install


@ways
async def test_megabyte_password_is_refused_fast_and_never_hashed(
    way, client, users, forbid_hashing, db_unchanged
):
    alice = await users()
    forbid_hashing()
    timings = []
    async with db_unchanged():
        for _ in range(3):
            started = time.perf_counter()
            response = await way.post(client, alice.username, "p" * 1024 * 1024)
            timings.append(time.perf_counter() - started)
            way.too_large.check(response)
    # The best of three: one slow run on a busy machine says nothing about the server.
    assert min(timings) < 0.05, timings


@ways
@pytest.mark.parametrize("length", [1025, 60_000])
async def test_password_over_1024_characters_is_refused_before_hashing(
    length, way, client, users, forbid_hashing, db_unchanged
):
    alice = await users()
    forbid_hashing()
    async with db_unchanged():
        response = await way.post(client, alice.username, "p" * length)
    way.too_long.check(response)


async def _import_bcrypt_hash(services, user_id: str, secret: bytes) -> None:
    async with services.core.ctx.uow() as uow:
        user = await uow.users.find(user_id)
        hashed = bcrypt.hashpw(secret, bcrypt.gensalt(4)).decode()
        await uow.users.update(replace(user, password_hash=hashed))


# The real password as the old system saw it, and a different one sharing its first 72 bytes.
TRUNCATION_CASES = {
    "ascii_suffix": ("a" * 72 + "the-real-suffix", "a" * 72 + "an-attackers-guess"),
    "multibyte_across_byte_72": ("a" * 71 + "é-real", "a" * 71 + "è-guess"),
}


@ways
@pytest.mark.parametrize("case", list(TRUNCATION_CASES))
async def test_bcrypt_import_refuses_a_password_sharing_only_the_first_72_bytes(
    case, way, client, users, services, db_unchanged
):
    real, guess = TRUNCATION_CASES[case]
    assert real.encode()[:72] == guess.encode()[:72] and real != guess
    alice = await users()
    # A system that truncated silently stored bcrypt(first 72 bytes of the real password).
    await _import_bcrypt_hash(services, alice.id, real.encode()[:72])
    async with db_unchanged():  # the hash is not "upgraded" to the guess either
        response = await way.post(client, alice.username, guess)
    way.bad_credentials.check(response)
    if case == "ascii_suffix":
        # Control: the hash is readable, and the 72 bytes bcrypt really checks do log in.
        ok = await way.post(client, alice.username, real[:72])
        assert ok.status_code in (200, 201), ok.text


INJECTIONS = [
    "' OR '1'='1",
    "admin' --",
    '"; DROP TABLE user_account; --',
    "%",
    "_",
    "admin\x00",  # PostgreSQL text cannot hold NUL: must not reach the database as is
]


# A password never reaches SQL (it is hashed), so one string there; every one as a name.
INJECTION_FIELDS = [("username", v) for v in INJECTIONS] + [("password", INJECTIONS[0])]


@ways
@pytest.mark.parametrize(("field", "value"), INJECTION_FIELDS)
async def test_injection_strings_in_login_fields_are_refused(
    field, value, way, client, users, db_unchanged
):
    admin = await users(username="admin", is_admin=True)
    username, password = (value, admin.password) if field == "username" else ("admin", value)
    async with db_unchanged():
        response = await way.post(client, username, password)
    way.bad_credentials.check(response)


# API.md §1: usernames compare after NFKC and case folding; what was typed is displayed.
SAME_ACCOUNT = {
    "upper_case": "ALICE",
    "fullwidth_nfkc": "\uff41\uff4c\uff49\uff43\uff45",  # "alice" in fullwidth letters
    "trailing_space": "alice ",
}


@ways
@pytest.mark.parametrize("variant", list(SAME_ACCOUNT))
async def test_username_variants_reach_the_same_account_never_another(variant, way, client, users):
    alice = await users(username="alice")
    await users(username="alice2")
    response = await way.post(client, SAME_ACCOUNT[variant], alice.password)
    assert response.status_code in (200, 201), response.text
    assert way.user_id(response) == alice.id
