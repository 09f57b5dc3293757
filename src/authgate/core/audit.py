"""The audit log: one row per auth event, written in batches off the hot path.

`AuditTrail.record` is synchronous and cheap (a JSON log line and a list append), so
login and refresh pay nothing for the database write. A background task (`run`) writes
what is pending every `interval` seconds, or at once when a batch fills; `flush` also runs
on shutdown and before every read, so a reader sees what this process just did. Nothing is
dropped: a failed write puts its rows back, and a request that finds the buffer full
writes it itself before going on (`make_room`), which bounds the buffer.

Who did it and from where comes from a request-scoped `AuditScope` (a ContextVar set by
the HTTP layer and the CLI), so core methods need no extra parameters to say it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from authgate.core.clock import utcnow
from authgate.core.errors import BackendUnavailable, InvalidRequest, PermissionDenied

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from contextvars import Token

    from authgate.core.models import ClientInfo, Principal
    from authgate.core.ports import AuditStore

audit_log = logging.getLogger("authgate.audit")
log = logging.getLogger("authgate")

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
USER_AGENT_LENGTH = 256
_DETAIL_TEXT_LENGTH = 200
_DETAIL_LIST_LENGTH = 20


class AuditEventName(StrEnum):
    """Every event the core records; docs/audit.md says when each is written."""

    LOGIN = "login"
    REFRESH = "refresh"
    REFRESH_REUSE = "refresh_reuse"
    LOGOUT = "logout"
    LOGOUT_ALL = "logout_all"
    THROTTLED = "throttled"
    # Event names, not secrets.
    PASSWORD_CHANGE = "password_change"  # noqa: S105  # nosec B105
    PASSWORD_EXPIRE = "password_expire"  # noqa: S105  # nosec B105
    API_KEY_CREATE = "api_key_create"
    API_KEY_DELETE = "api_key_delete"
    API_KEY_USE = "api_key_use"
    USER_CREATE = "user_create"
    USER_UPDATE = "user_update"
    USER_DISABLE = "user_disable"
    USER_ENABLE = "user_enable"
    USER_DELETE = "user_delete"
    CLIENT_CREDENTIALS = "client_credentials"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    occurred_at: datetime
    event: str
    outcome: str
    user_id: str | None = None
    session_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)
    id: int | None = None  # set by the store


@dataclass(slots=True)
class AuditScope:
    """Who acts and from where, for the duration of one request or CLI command."""

    client_ip: str | None = None
    user_agent: str | None = None
    actor_id: str | None = None


_scope: ContextVar[AuditScope | None] = ContextVar("authgate_audit_scope", default=None)


def enter_scope(client: ClientInfo) -> Token[AuditScope | None]:
    return _scope.set(AuditScope(client_ip=client.ip, user_agent=client.user_agent))


def exit_scope(token: Token[AuditScope | None]) -> None:
    _scope.reset(token)


def note_actor(user_id: str) -> None:
    """The authenticated caller of this request: recorded as `by` on events about others."""
    scope = _scope.get()
    if scope is not None:
        scope.actor_id = user_id


@dataclass(frozen=True, slots=True)
class AuditCursor:
    """A keyset position: the next page starts strictly after (occurred_at, id), newest first."""

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.occurred_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> AuditCursor:
        """Raises: InvalidRequest: not a cursor this server handed out."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _, number = raw.partition("|")
            occurred_at = datetime.fromisoformat(stamp)
            cursor = cls(occurred_at=occurred_at, id=int(number))
        except (ValueError, binascii.Error, UnicodeDecodeError) as e:
            raise InvalidRequest("invalid cursor", field="cursor") from e
        if occurred_at.tzinfo is None or not 1 <= cursor.id < 2**63:  # a BIGINT
            raise InvalidRequest("invalid cursor", field="cursor")
        return cls(occurred_at=_utc(occurred_at, "cursor"), id=cursor.id)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    user_id: str | None = None
    event: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_PAGE_SIZE
    after: AuditCursor | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit must be 1 to {MAX_PAGE_SIZE}", field="limit")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(value, name))
        if self.since is not None and self.until is not None and self.since > self.until:
            raise InvalidRequest("since must not be after until", field="since")


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: Sequence[AuditEvent]
    next: AuditCursor | None


class AuditTrail:
    def __init__(
        self,
        store: AuditStore | None = None,
        *,
        batch_size: int = 200,
        interval: float = 0.2,
        max_pending: int = 5000,
    ) -> None:
        self._store = store
        self._batch_size = batch_size
        self.interval = interval  # seconds between writes; read at each wait
        self._max_pending = max_pending
        self._pending: list[AuditEvent] = []
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(
        self,
        event: str,
        outcome: str = Outcome.SUCCESS,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        ip: str | None = None,
        **detail: object,
    ) -> None:
        """Record one event; callers never pass a secret."""
        scope = _scope.get()
        if scope is not None:
            ip = ip if ip is not None else scope.client_ip
            if scope.actor_id is not None and scope.actor_id != user_id:
                detail.setdefault("by", scope.actor_id)
        agent = scope.user_agent[:USER_AGENT_LENGTH] if scope and scope.user_agent else None
        clean = {name: _small(value) for name, value in detail.items()}
        audit_log.info(
            event,
            extra={
                "event": str(event),
                "outcome": str(outcome),
                "user_id": user_id,
                "session_id": session_id,
                "ip": ip,
                "user_agent": agent,
                **clean,
            },
        )
        if self._store is None:
            return
        self._pending.append(
            AuditEvent(
                occurred_at=utcnow(),
                event=str(event),
                outcome=str(outcome),
                user_id=user_id,
                session_id=session_id,
                client_ip=ip,
                user_agent=agent,
                detail=clean,
            )
        )
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    async def flush(self) -> int:
        """Write everything pending.

        Raises:
            BackendUnavailable: the database is down; the rows stay pending for the next try.
        """
        if self._store is None:
            return 0
        written = 0
        async with self._lock:
            while self._pending:
                batch = self._pending[: self._batch_size * 5]
                try:
                    await self._store.add_many(batch)
                except BackendUnavailable:
                    raise
                except Exception:  # noqa: BLE001 - any refusal but an outage
                    # One bad row must not block the log forever: write the rest one by one.
                    await self._write_one_by_one(batch)
                del self._pending[: len(batch)]
                written += len(batch)
        return written

    async def _write_one_by_one(self, batch: Sequence[AuditEvent]) -> None:
        store = self._store
        if store is None:  # only called from flush, which has a store
            return
        for done, event in enumerate(batch):
            try:
                await store.add_many([event])
            except BackendUnavailable:
                del self._pending[:done]  # written already: not again on the next try
                raise
            except Exception:
                # Its JSON log line was written when it was recorded.
                log.exception("audit row refused by the database: %s", event.event)

    async def make_room(self) -> None:
        """Write the buffer now if it is full, so it stays bounded without dropping rows."""
        if len(self._pending) < self._max_pending:
            return
        try:
            await self.flush()
        except Exception:
            log.warning("audit flush failed; rows kept for the next try", exc_info=True)

    async def run(self) -> None:
        """Flush every interval, or sooner when a batch is full, until stop()."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.warning("audit flush failed; rows kept for the next try", exc_info=True)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def search(self, query: AuditQuery) -> AuditPage:
        """Events matching query, newest first; this process's pending rows included."""
        if self._store is None:
            return AuditPage(events=[], next=None)
        await self.flush()
        found = list(await self._store.search(query))
        if len(found) <= query.limit:
            return AuditPage(events=found, next=None)
        last = found[query.limit - 1]
        if last.id is None:
            raise RuntimeError("a stored audit row has no id")
        return AuditPage(
            events=found[: query.limit], next=AuditCursor(occurred_at=last.occurred_at, id=last.id)
        )

    async def prune(self, before: datetime) -> int:
        return await self._store.prune(before) if self._store is not None else 0


class AuditService:
    """Reading the audit log: administrators over HTTP, operators from the CLI."""

    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    async def search(self, caller: Principal, query: AuditQuery) -> AuditPage:
        """Raises: PermissionDenied: the caller is not an administrator."""
        if not caller.user.is_admin:
            raise PermissionDenied("Only administrators can read the audit log")
        return await self._trail.search(query)

    async def search_as_operator(self, query: AuditQuery) -> AuditPage:
        """For the CLI, whose user already holds the database."""
        return await self._trail.search(query)


def _utc(moment: datetime, name: str) -> datetime:
    """moment in UTC (without an offset it is taken as UTC).

    Raises: InvalidRequest: it is out of range once moved to UTC (year 1 or 9999).
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as e:
        raise InvalidRequest(f"{name} is out of range", field=name) from e


def _small(value: object) -> object:
    """Detail values stay small and JSON-typed."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        return [str(item)[:_DETAIL_TEXT_LENGTH] for item in items[:_DETAIL_LIST_LENGTH]]
    return str(value)[:_DETAIL_TEXT_LENGTH]
