"""What the core services share: storage, caches, policy, and helpers used by more than one."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from authgate.core.audit import AuditTrail
from authgate.core.clock import utcnow
from authgate.core.common_passwords import check_not_common
from authgate.core.errors import InvalidRequest, PermissionDenied
from authgate.core.models import AuthMethod, EventKind, Principal, User
from authgate.core.passwords import PasswordHasher, check_new_password

if TYPE_CHECKING:
    from collections.abc import Sequence

    from authgate.core.ports import UnitOfWork, UnitOfWorkFactory
    from authgate.core.revocation import RevocationCache
    from authgate.core.throttle import LoginThrottle
    from authgate.core.tokens import AccessTokenCodec


@dataclass(frozen=True, slots=True)
class CorePolicy:
    refresh_idle_ttl: int
    refresh_absolute_ttl: int
    password_max_age_days: int
    password_min_length: int
    api_key_prefix: str
    key_last_used_interval: int = 60


@dataclass(slots=True)
class CoreContext:
    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    codec: AccessTokenCodec
    throttle: LoginThrottle
    cache: RevocationCache
    policy: CorePolicy
    trail: AuditTrail = field(default_factory=AuditTrail)

    def audit(
        self,
        event: str,
        outcome: str = "success",
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        ip: str | None = None,
        **detail: object,
    ) -> None:
        """One audit row and JSON log line per auth event; callers never pass a secret.

        user_id, session_id and ip are columns; anything else goes to the row's detail.
        """
        self.trail.record(event, outcome, user_id=user_id, session_id=session_id, ip=ip, **detail)

    def password_expiry(self, now: datetime) -> datetime | None:
        days = self.policy.password_max_age_days
        return now + timedelta(days=days) if days else None

    async def new_password_hash(self, password: str, *, old_hash: str | None = None) -> str:
        """Check a new password against the rules and hash it.

        Raises:
            PasswordPolicyViolation: it breaks a rule or is a common password.
            InvalidRequest: it equals the old password.
        """
        check_new_password(password, self.policy.password_min_length)
        check_not_common(password)
        if old_hash is not None:
            same, _ = await self.hasher.verify_and_update(password, old_hash)
            if same:
                raise InvalidRequest(
                    "new password must differ from the current one", field="newPassword"
                )
        return await self.hasher.hash(password)

    async def store_password(
        self, uow: UnitOfWork, user: User, password_hash: str, *, keep_session: str | None
    ) -> tuple[User, list[str]]:
        """Save a new password and end every session but keep_session."""
        now = utcnow()
        updated = replace(
            user,
            password_hash=password_hash,
            password_changed_at=now,
            password_expires_at=self.password_expiry(now),
            updated_at=now,
        )
        await uow.users.update(updated)
        ended = await self.end_sessions(uow, user.id, except_id=keep_session)
        await uow.events.add(EventKind.USER, user.id, now)
        return updated, ended

    async def end_sessions(
        self, uow: UnitOfWork, user_id: str, *, except_id: str | None = None
    ) -> list[str]:
        now = utcnow()
        ended = await uow.sessions.revoke_all(user_id, now, except_id=except_id)
        for session_id in ended:
            await uow.events.add(EventKind.SESSION, session_id, now)
        return ended

    def forget_locally(self, *, sessions: Sequence[str] = (), user_id: str | None = None) -> None:
        """Apply a committed revocation to this node at once; others learn it from the log."""
        for session_id in sessions:
            self.cache.forget_session(session_id)
        if user_id is not None:
            self.cache.forget_user(user_id)


def require_password_session(principal: Principal) -> str:
    """The session id of a principal that logged in with a password.

    Raises:
        PermissionDenied: the caller used an API key.
    """
    if principal.method is not AuthMethod.SESSION or principal.session_id is None:
        raise PermissionDenied("This action needs a password login, not an API key")
    return principal.session_id
