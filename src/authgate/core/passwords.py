"""Password hashing: argon2id, bcrypt and older argon2 accepted, always off the event loop."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import TYPE_CHECKING

import anyio
from anyio import CapacityLimiter
from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from authgate.core.errors import InvalidRequest, Overloaded, PasswordPolicyViolation

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_PASSWORD_LENGTH = 1024
BCRYPT_MAX_BYTES = 72
# Default waiting room: a burst of logins queues (at most about 32 hash times, ~2 s at
# OWASP cost); a sustained flood past it is shed.
QUEUE_PER_THREAD = 32


def check_length_for_login(password: str) -> None:
    """Refuse absurd input before anything is hashed.

    Raises:
        InvalidRequest: longer than MAX_PASSWORD_LENGTH characters.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"password must be at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )


def check_new_password(password: str, min_length: int) -> None:
    """The rules a new password must pass.

    Raises:
        PasswordPolicyViolation: too short, too long, or blank.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyViolation(
            f"password must be at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) < min_length:
        raise PasswordPolicyViolation(
            f"password must be at least {min_length} characters", field="password"
        )
    if not password.strip():
        raise PasswordPolicyViolation("password must not be blank", field="password")


class _SafeBcryptHasher(BcryptHasher):
    """bcrypt silently ignores bytes past 72 (newer versions raise instead).

    Treat longer input as a mismatch: accepting it would let any suffix after byte 72
    log in, which is the truncation weakness imported bcrypt hashes carry.
    """

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        raw = password.encode() if isinstance(password, str) else password
        if len(raw) > BCRYPT_MAX_BYTES:
            return False
        return super().verify(password, hash)


class PasswordHasher:
    """argon2id hashing in a bounded thread pool, with transparent upgrade of old hashes.

    At most `threads` hashes run at once and at most `queue` more wait for a thread;
    callers past that are refused by `admission` (Overloaded) before they change any
    state, so a login flood costs a bounded amount of CPU and latency for everyone else.
    """

    def __init__(
        self,
        *,
        memory_kib: int,
        time_cost: int,
        parallelism: int,
        threads: int,
        queue: int | None = None,
    ) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism),
                _SafeBcryptHasher(),
            )
        )
        self.limiter = CapacityLimiter(threads)
        self.threads = threads
        self.capacity = threads + (QUEUE_PER_THREAD * threads if queue is None else queue)
        self._admitted = 0
        # Verified for unknown users so that "no such user" costs what a wrong
        # password costs (Django ticket #20760).
        self._dummy_hash = self._hash.hash(secrets.token_urlsafe(16))

    @contextmanager
    def admission(self) -> Iterator[None]:
        """A place among the callers allowed to hash now or queue for a thread.

        Single-threaded event loop: the check and the increment cannot interleave.

        Raises:
            Overloaded: `capacity` callers already hold a place.
        """
        if self._admitted >= self.capacity:
            raise Overloaded(retry_after=1)
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, password, limiter=self.limiter)

    async def verify_and_update(self, password: str, stored: str) -> tuple[bool, str | None]:
        """Whether password matches stored, and a new hash when stored is outdated."""
        return await anyio.to_thread.run_sync(
            self._safe_verify_and_update, password, stored, limiter=self.limiter
        )

    async def burn_time(self, password: str) -> None:
        """Spend what a verification costs, for an unknown user."""
        await self.verify_and_update(password, self._dummy_hash)

    def _safe_verify_and_update(self, password: str, stored: str) -> tuple[bool, str | None]:
        try:
            return self._hash.verify_and_update(password, stored)
        except (PwdlibError, ValueError, TypeError):
            # An unreadable stored hash never matches; the error says nothing to the caller.
            return False, None
