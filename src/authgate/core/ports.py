"""What the core needs from storage, as Protocols. Repos never commit; the UnitOfWork does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from types import TracebackType

    from authgate.core.audit import AuditEvent, AuditQuery
    from authgate.core.models import (
        ApiKey,
        EventKind,
        RefreshToken,
        RevocationEvent,
        Session,
        User,
    )
    from authgate.core.queries import UserPage, UserQuery


class UserRepo(Protocol):
    async def add(self, user: User) -> None:
        """Raises UsernameTaken or EmailTaken when a key is in use."""

    async def find(self, user_id: str) -> User | None: ...
    async def find_by_login(self, key: str) -> User | None:
        """The user whose username_key or email_key equals key."""

    async def list(self, *, offset: int = 0, limit: int = 100) -> Sequence[User]: ...
    async def count(self) -> int: ...
    async def search(self, query: UserQuery) -> UserPage:
        """The users matching query: the total count and the requested page."""

    async def update(self, user: User) -> None:
        """Raises UsernameTaken or EmailTaken when a key is in use."""

    async def delete(self, user_id: str) -> None: ...


class SessionRepo(Protocol):
    async def add(self, session: Session) -> None: ...
    async def find(self, session_id: str) -> Session | None: ...
    async def list_live(self, user_id: str, now: datetime) -> Sequence[Session]: ...
    async def touch(self, session_id: str, now: datetime) -> None: ...
    async def revoke(self, session_id: str, now: datetime) -> bool:
        """Mark one live session revoked; False when it already was."""

    async def revoke_all(
        self, user_id: str, now: datetime, *, except_id: str | None = None
    ) -> list[str]:
        """Revoke every live session of a user; the ids revoked."""


class RefreshTokenRepo(Protocol):
    async def add(self, token: RefreshToken) -> None: ...
    async def find_by_hash(self, token_hash: str) -> RefreshToken | None: ...
    async def claim(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Atomically mark an unrotated, unexpired token rotated and return it.

        Of two concurrent claims of one token exactly one gets it; the other gets None.
        """


class ApiKeyRepo(Protocol):
    async def add(self, key: ApiKey) -> None: ...
    async def find(self, key_id: str) -> ApiKey | None: ...
    async def find_by_hash(self, secret_hash: str) -> ApiKey | None: ...
    async def list_for_user(self, user_id: str) -> Sequence[ApiKey]: ...
    async def delete(self, key_id: str) -> bool: ...
    async def mark_used(self, key_id: str, now: datetime, *, min_interval: int) -> None:
        """Set last_used_at unless it was set less than min_interval seconds ago."""


class EventRepo(Protocol):
    """The revocation log: written in the same transaction as what it announces."""

    async def add(self, kind: EventKind, subject_id: str, now: datetime) -> None: ...
    async def since(self, after: datetime) -> Sequence[RevocationEvent]: ...
    async def prune(self, before: datetime) -> int: ...


class SecretRepo(Protocol):
    """Small named values the server generates once and keeps (signing secret)."""

    async def find(self, name: str) -> str | None: ...
    async def add_if_absent(self, name: str, value: str) -> str:
        """Store value unless a value exists; return the stored one (race-safe)."""


class AuditStore(Protocol):
    """Where audit rows live. Written outside any business transaction, in batches."""

    async def add_many(self, events: Sequence[AuditEvent]) -> None: ...
    async def search(self, query: AuditQuery) -> Sequence[AuditEvent]:
        """Up to query.limit + 1 matching events after query.after, newest first."""

    async def prune(self, before: datetime) -> int: ...


class UnitOfWork(Protocol):
    @property
    def users(self) -> UserRepo: ...
    @property
    def sessions(self) -> SessionRepo: ...
    @property
    def refresh_tokens(self) -> RefreshTokenRepo: ...
    @property
    def api_keys(self) -> ApiKeyRepo: ...
    @property
    def events(self) -> EventRepo: ...
    @property
    def secrets(self) -> SecretRepo: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit when the block ends without an exception, roll back otherwise."""


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """One transaction; a read_only one promises to write nothing, so the store
        need not take a write lock for it (SQLite)."""
        ...
