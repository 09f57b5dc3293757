"""Per-process caches that let a request be authenticated without touching the database.

Every node keeps what it has looked up (live sessions, users, API keys) and learns of
revocations by reading the revocation log, which is written in the same transaction as
the revocation itself. A revoked session id is remembered for as long as any access
token of it can still be valid, and is checked before the live cache, so a lookup that
raced with a revocation cannot resurrect it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cachetools import TTLCache

from authgate.core.clock import utcnow
from authgate.core.models import ApiKey, EventKind, RevocationEvent, Session, User

if TYPE_CHECKING:
    from collections.abc import Iterable

# Entries are re-read at least this often even if an event were lost, bounding staleness.
_POSITIVE_TTL = 300.0
# Events are re-read this far back on every poll: ids from concurrent transactions
# can commit out of order, so "id > last seen" could skip one.
POLL_OVERLAP = timedelta(seconds=5)


class RevocationCache:
    def __init__(self, *, revoked_ttl: float, max_entries: int = 200_000) -> None:
        # session id -> (owner, expiry): a token is only as good as its session *and* owner.
        self._live_sessions: TTLCache[str, tuple[str, datetime]] = TTLCache(
            max_entries, _POSITIVE_TTL
        )
        self._revoked_sessions: TTLCache[str, bool] = TTLCache(max_entries, revoked_ttl)
        self._users: TTLCache[str, User] = TTLCache(max_entries, _POSITIVE_TTL)
        self._keys_by_hash: TTLCache[str, ApiKey] = TTLCache(max_entries, _POSITIVE_TTL)
        self._keys_by_id: TTLCache[str, ApiKey] = TTLCache(max_entries, _POSITIVE_TTL)
        self._revoked_keys: TTLCache[str, bool] = TTLCache(max_entries, _POSITIVE_TTL)
        self.last_poll: datetime | None = None

    # sessions
    def session_state(self, session_id: str, user_id: str, now: datetime) -> bool | None:
        """True live and user_id's, False revoked or another user's, None unknown here."""
        if session_id in self._revoked_sessions:
            return False
        entry = self._live_sessions.get(session_id)
        if entry is None:
            return None
        owner, expires_at = entry
        return owner == user_id and expires_at > now

    def remember_session(self, session: Session, live: bool) -> None:
        if live:
            self._live_sessions[session.id] = (session.user_id, session.expires_at)
        else:
            self.forget_session(session.id)

    def forget_session(self, session_id: str) -> None:
        self._live_sessions.pop(session_id, None)
        self._revoked_sessions[session_id] = True

    # users
    def find_user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def remember_user(self, user: User) -> None:
        self._users[user.id] = user

    def forget_user(self, user_id: str) -> None:
        self._users.pop(user_id, None)

    # API keys
    def find_key(self, secret_hash: str) -> ApiKey | None:
        key = self._keys_by_hash.get(secret_hash)
        if key is None or key.id in self._revoked_keys:
            return None
        return key

    def find_key_by_id(self, key_id: str) -> ApiKey | None:
        """A key known live here (client_credentials tokens name their key by id)."""
        if key_id in self._revoked_keys:
            return None
        return self._keys_by_id.get(key_id)

    def is_key_revoked(self, key_id: str) -> bool:
        return key_id in self._revoked_keys

    def remember_key(self, key: ApiKey) -> None:
        if key.id not in self._revoked_keys:
            self._keys_by_hash[key.secret_hash] = key
            self._keys_by_id[key.id] = key

    def forget_key(self, key_id: str) -> None:
        self._revoked_keys[key_id] = True
        self._keys_by_id.pop(key_id, None)
        for secret_hash, key in list(self._keys_by_hash.items()):
            if key.id == key_id:
                self._keys_by_hash.pop(secret_hash, None)

    # the log
    def apply(self, events: Iterable[RevocationEvent]) -> None:
        for event in events:
            if event.kind is EventKind.SESSION:
                self.forget_session(event.subject_id)
            elif event.kind is EventKind.USER:
                self.forget_user(event.subject_id)
            elif event.kind is EventKind.API_KEY:
                self.forget_key(event.subject_id)

    def poll_from(self) -> datetime:
        """Where the next read of the log starts."""
        now = utcnow()
        start = self.last_poll or now
        self.last_poll = now
        return start - POLL_OVERLAP
