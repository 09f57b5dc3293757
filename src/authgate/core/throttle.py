"""Throttling: atomic failure counters with exponential lock-out.

Password attempts are counted *before* the password is checked, so parallel guesses
cannot slip past the limit between a check and an increment; a good password gives its
attempt back. After `limit` attempts the key is blocked for `base` seconds, and
each further failed attempt after a block doubles it, up to `cap`.

Refresh tokens and client secrets are 256-bit random values, not guessable the way a
password is, and their success path is hot (every token refresh), so they are guarded
the cheaper way: a read-only check that the key is not blocked, and a count only when
the credential is refused. A burst of parallel refusals can overshoot the limit by at
most the burst's size before the block starts, which costs an attacker nothing useful.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from authgate.core.audit import AuditEventName, Outcome
from authgate.core.clock import epoch
from authgate.core.errors import Throttled

if TYPE_CHECKING:
    from authgate.core.audit import AuditTrail


@dataclass(frozen=True, slots=True)
class ThrottleState:
    count: int = 0
    strikes: int = 0
    blocked_until: float = 0.0
    last_at: float = 0.0


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    limit: int
    window: int
    base_delay: int
    max_delay: int

    def delay(self, strikes: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** min(strikes - 1, 30)))


Change = Callable[[ThrottleState | None], tuple[ThrottleState | None, float]]


class ThrottleStore(Protocol):
    """Applies a change to one key's state atomically across every process."""

    async def update(self, key: str, change: Change, ttl: int) -> float: ...

    async def read(self, key: str) -> ThrottleState | None: ...


def register_attempt(policy: ThrottlePolicy, now: float) -> Change:
    """Count one attempt; the change returns the seconds to wait (0: go ahead)."""
    return _count(policy, now, passing=policy.limit)


def register_failure(policy: ThrottlePolicy, now: float) -> Change:
    """Count one refused credential; the limit-th refusal within the window blocks the key."""
    return _count(policy, now, passing=policy.limit - 1)


def _count(policy: ThrottlePolicy, now: float, *, passing: int) -> Change:
    """Add one to the key's count; past `passing` counts in the window the key is blocked."""

    def change(state: ThrottleState | None) -> tuple[ThrottleState | None, float]:
        state = state or ThrottleState()
        if state.blocked_until > now:
            return state, state.blocked_until - now
        if state.last_at < now - policy.window:
            state = ThrottleState()
        count = state.count + 1
        if count <= passing:
            return replace(state, count=count, last_at=now), 0.0
        strikes = state.strikes + 1
        blocked_until = now + policy.delay(strikes)
        # When the block ends, one more count is let through; its failure blocks again.
        return (
            ThrottleState(
                count=policy.limit - 1, strikes=strikes, blocked_until=blocked_until, last_at=now
            ),
            blocked_until - now,
        )

    return change


def give_back(state: ThrottleState | None) -> tuple[ThrottleState | None, float]:
    if state is None or state.count == 0:
        return state, 0.0
    return replace(state, count=state.count - 1), 0.0


def clear(_: ThrottleState | None) -> tuple[ThrottleState | None, float]:
    return None, 0.0


LOGIN_SCOPE = "login"


class LoginThrottle:
    """Guards password checks per account and per client address, and other
    credentials (refresh tokens, client secrets) per scope, subject and address.

    Every refusal is audited here (one `throttled` row), so each caller that is
    throttled through this class is covered, whichever dialect or grant it serves.
    """

    def __init__(
        self,
        store: ThrottleStore,
        *,
        account: ThrottlePolicy,
        address: ThrottlePolicy,
        trail: AuditTrail | None = None,
    ) -> None:
        self._store = store
        self._account = account
        self._address = address
        self._trail = trail

    def _throttled(self, wait: float, scope: str, limit: str) -> Throttled:
        """The error to raise, audited: what was throttled (scope) and which key was blocked."""
        error = Throttled(int(wait + 0.999))
        if self._trail is not None:
            self._trail.record(
                AuditEventName.THROTTLED,
                Outcome.FAILURE,
                scope=scope,
                limit=limit,
                retry_after=error.retry_after,
            )
        return error

    def _ttl(self, policy: ThrottlePolicy) -> int:
        return policy.window + policy.max_delay

    async def attempt(self, account_key: str, address: str | None) -> None:
        """Count an attempt for both keys before any hash is computed.

        Raises:
            Throttled: either key is blocked; nothing is counted then.
        """
        now = epoch()
        if address:
            wait = await self._store.update(
                f"ip:{address}", register_attempt(self._address, now), self._ttl(self._address)
            )
            if wait > 0:
                raise self._throttled(wait, LOGIN_SCOPE, "address")
        wait = await self._store.update(
            f"account:{account_key}", register_attempt(self._account, now), self._ttl(self._account)
        )
        if wait > 0:
            if address:
                await self._store.update(f"ip:{address}", give_back, self._ttl(self._address))
            raise self._throttled(wait, LOGIN_SCOPE, "account")

    async def succeeded(self, account_key: str, address: str | None) -> None:
        await self._store.update(f"account:{account_key}", clear, self._ttl(self._account))
        if address:
            await self._store.update(f"ip:{address}", give_back, self._ttl(self._address))

    async def check(self, scope: str, *, subject: str | None, address: str | None) -> None:
        """Refuse a cheap-to-check credential while its keys are blocked; counts nothing.

        Raises:
            Throttled: the subject or the address is blocked for this scope.
        """
        now = epoch()
        for key in self._scoped_keys(scope, subject, address):
            state = await self._store.read(key)
            if state is not None and state.blocked_until > now:
                limit = "address" if key.startswith(f"{scope}:ip:") else "subject"
                raise self._throttled(state.blocked_until - now, scope, limit)

    async def refused(self, scope: str, *, subject: str | None, address: str | None) -> None:
        """Count a refused credential against its subject and its address in this scope."""
        now = epoch()
        if subject:
            await self._store.update(
                f"{scope}:subject:{subject}",
                register_failure(self._account, now),
                self._ttl(self._account),
            )
        if address:
            await self._store.update(
                f"{scope}:ip:{address}",
                register_failure(self._address, now),
                self._ttl(self._address),
            )

    @staticmethod
    def _scoped_keys(scope: str, subject: str | None, address: str | None) -> list[str]:
        keys = [f"{scope}:ip:{address}"] if address else []
        if subject:
            keys.append(f"{scope}:subject:{subject}")
        return keys
