"""AccountService: users and their passwords, for dialects, admins and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from authgate.core.audit import AuditEventName
from authgate.core.clock import utcnow
from authgate.core.errors import (
    InvalidCredentials,
    PasswordExpired,
    PermissionDenied,
    UserNotFound,
)
from authgate.core.identity import (
    TEXT_FIELDS,
    clean_email,
    clean_text,
    clean_username,
    login_key,
)
from authgate.core.models import ClientInfo, EventKind, Principal, User, UserChanges
from authgate.core.secrets import new_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from authgate.core.context import CoreContext
    from authgate.core.service import AuthService


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    email: str
    password: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    avatar: str | None = None
    is_admin: bool = False


class AccountService:
    def __init__(self, ctx: CoreContext, auth: AuthService) -> None:
        self._ctx = ctx
        self._auth = auth

    async def create_user(self, new: NewUser) -> User:
        """Register a user.

        Raises:
            InvalidRequest: a malformed username or email.
            PasswordPolicyViolation: the password breaks a rule.
            UsernameTaken, EmailTaken: the name or address is in use, in any case or form.
        """
        username = clean_username(new.username)
        email = clean_email(new.email)
        for field in TEXT_FIELDS:
            clean_text(getattr(new, field), field)
        password_hash = await self._ctx.new_password_hash(new.password)
        now = utcnow()
        user = User(
            id=new_id(),
            username=username,
            email=email,
            username_key=login_key(username),
            email_key=login_key(email),
            name=new.name,
            first_name=new.first_name,
            last_name=new.last_name,
            avatar=new.avatar,
            is_admin=new.is_admin,
            disabled=False,
            created_at=now,
            updated_at=now,
            password_changed_at=now,
            password_expires_at=self._ctx.password_expiry(now),
            password_hash=password_hash,
        )
        async with self._ctx.uow() as uow:
            await uow.users.add(user)
        self._ctx.audit("user_create", user_id=user.id)
        return user

    async def get_user(self, user_id: str) -> User:
        """Raises: UserNotFound."""
        async with self._ctx.uow(read_only=True) as uow:
            user = await uow.users.find(user_id)
        if user is None:
            raise UserNotFound
        return user

    async def find_user(self, login: str) -> User | None:
        async with self._ctx.uow(read_only=True) as uow:
            return await uow.users.find_by_login(login_key(login))

    async def get_user_by_login(self, login: str) -> User:
        """Raises: UserNotFound."""
        user = await self.find_user(login)
        if user is None:
            raise UserNotFound
        return user

    async def list_users(self, *, offset: int = 0, limit: int = 100) -> Sequence[User]:
        async with self._ctx.uow() as uow:
            return await uow.users.list(offset=offset, limit=limit)

    async def update_user(self, user_id: str, changes: UserChanges) -> User:
        """Apply profile changes; disabling ends every session.

        Raises:
            UserNotFound, InvalidRequest, UsernameTaken, EmailTaken.
        """
        ctx = self._ctx
        ended: list[str] = []
        async with ctx.uow() as uow:
            user = await uow.users.find(user_id)
            if user is None:
                raise UserNotFound
            updated = _apply(user, changes)
            await uow.users.update(updated)
            if updated.disabled and not user.disabled:
                ended = await ctx.end_sessions(uow, user_id)
            await uow.events.add(EventKind.USER, user_id, utcnow())
        ctx.forget_locally(sessions=ended, user_id=user_id)
        ctx.audit(user_change_event(user, updated), user_id=user_id, fields=changed_fields(changes))
        return updated

    async def delete_user(self, user_id: str) -> User:
        """Delete a user, their sessions and API keys.

        Raises:
            UserNotFound.
        """
        ctx = self._ctx
        async with ctx.uow() as uow:
            user = await uow.users.find(user_id)
            if user is None:
                raise UserNotFound
            ended = await ctx.end_sessions(uow, user_id)
            for key in await uow.api_keys.list_for_user(user_id):
                await uow.api_keys.delete(key.id)
                await uow.events.add(EventKind.API_KEY, key.id, utcnow())
            await uow.users.delete(user_id)
            await uow.events.add(EventKind.USER, user_id, utcnow())
        ctx.forget_locally(sessions=ended, user_id=user_id)
        ctx.audit("user_delete", user_id=user_id)
        return user

    async def change_password(
        self, login: str, password: str, new_password: str, client: ClientInfo
    ) -> User:
        """Change a password by proving the old one; works when it has expired.

        Every session of the user ends.

        Raises:
            InvalidRequest, Throttled, InvalidCredentials: as AuthService.check_password.
            PasswordPolicyViolation: the new password breaks a rule or equals the old.
        """
        try:
            user = await self._auth.check_password(login, password, client)
        except PasswordExpired:
            user = await self.get_user_by_login(login)
        return await self._replace_password(user, new_password, keep_session=None)

    async def change_own_password(
        self, principal: Principal, password: str, new_password: str, client: ClientInfo
    ) -> User:
        """A logged-in user changes their password; their other sessions end.

        Raises:
            PermissionDenied: the caller used an API key.
            InvalidCredentials: the current password is wrong.
            PasswordPolicyViolation: the new password breaks a rule or equals the old.
        """
        session_id = principal.session_id
        if session_id is None:
            raise PermissionDenied("Changing a password needs a password login, not an API key")
        user = await self.check_current_password(principal.user, password, client)
        return await self._replace_password(user, new_password, keep_session=session_id)

    async def check_current_password(self, user: User, password: str, client: ClientInfo) -> User:
        """Raises: Throttled, InvalidCredentials."""
        try:
            return await self._auth.check_password(user.username, password, client)
        except PasswordExpired:
            return user

    async def set_password(self, user_id: str, new_password: str) -> User:
        """An administrator sets a password; every session of the user ends.

        Raises:
            UserNotFound, PasswordPolicyViolation.
        """
        return await self._replace_password(
            await self.get_user(user_id), new_password, keep_session=None
        )

    async def expire_password(self, user_id: str) -> User:
        """Make the password expire now; the next password login is refused.

        Raises:
            UserNotFound.
        """
        async with self._ctx.uow() as uow:
            user = await uow.users.find(user_id)
            if user is None:
                raise UserNotFound
            user = replace(user, password_expires_at=utcnow(), updated_at=utcnow())
            await uow.users.update(user)
            await uow.events.add(EventKind.USER, user_id, utcnow())
        self._ctx.forget_locally(user_id=user_id)
        self._ctx.audit("password_expire", user_id=user_id)
        return user

    async def _replace_password(
        self, user: User, new_password: str, *, keep_session: str | None
    ) -> User:
        ctx = self._ctx
        password_hash = await ctx.new_password_hash(new_password, old_hash=user.password_hash)
        async with ctx.uow() as uow:
            current = await uow.users.find(user.id)
            if current is None:
                raise InvalidCredentials
            updated, ended = await ctx.store_password(
                uow, current, password_hash, keep_session=keep_session
            )
        ctx.forget_locally(sessions=ended, user_id=user.id)
        ctx.audit("password_change", user_id=user.id)
        return updated


def _apply(user: User, changes: UserChanges) -> User:
    updated = user
    if changes.username is not None:
        username = clean_username(changes.username)
        updated = replace(updated, username=username, username_key=login_key(username))
    if changes.email is not None:
        email = clean_email(changes.email)
        updated = replace(updated, email=email, email_key=login_key(email))
    for field in TEXT_FIELDS:
        clean_text(getattr(changes, field), field)
    for field in ("name", "first_name", "last_name", "avatar", "is_admin", "disabled"):
        value = getattr(changes, field)
        if value is not None:
            updated = replace(updated, **{field: value})
    return replace(updated, updated_at=utcnow())


def user_change_event(before: User, after: User) -> AuditEventName:
    """Disabling and re-enabling are named events; other profile edits are an update."""
    if after.disabled and not before.disabled:
        return AuditEventName.USER_DISABLE
    if before.disabled and not after.disabled:
        return AuditEventName.USER_ENABLE
    return AuditEventName.USER_UPDATE


def changed_fields(changes: UserChanges) -> list[str]:
    """The names of the fields a change sets (never their values: an email is personal data)."""
    return [name for name in UserChanges.__dataclass_fields__ if getattr(changes, name) is not None]
