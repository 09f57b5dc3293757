"""UserDirectory: users as a caller may see and change them (the /users resource).

The rules every user-management dialect shares: admins see and manage every user,
others only themselves (API.md §1 "Roles"); another user's record is answered as
missing, so that ids cannot be probed; only an admin grants or removes admin rights;
a user changing their own password proves the current one, and their other sessions end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from authgate.core.accounts import changed_fields, user_change_event
from authgate.core.audit import AuditEventName
from authgate.core.clock import utcnow
from authgate.core.context import CoreContext, require_password_session
from authgate.core.errors import InvalidRequest, NotAuthenticated, PermissionDenied, UserNotFound
from authgate.core.identity import (
    TEXT_FIELDS,
    clean_email,
    clean_text,
    clean_username,
    login_key,
)
from authgate.core.models import ClientInfo, EventKind, Principal, User, UserChanges
from authgate.core.passwords import check_new_password

if TYPE_CHECKING:
    from authgate.core.accounts import AccountService, NewUser
    from authgate.core.queries import UserPage, UserQuery


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """A new password; `current` is required when the caller changes their own."""

    new: str
    current: str | None = None


class UserDirectory:
    def __init__(self, ctx: CoreContext, accounts: AccountService) -> None:
        self._ctx = ctx
        self._accounts = accounts

    async def find(self, caller: Principal, query: UserQuery) -> UserPage:
        """The users matching query that the caller may see."""
        if not caller.user.is_admin:
            query = query.restricted_to(caller.user.id)
        async with self._ctx.uow(read_only=True) as uow:
            return await uow.users.search(query)

    async def get(self, caller: Principal, user_id: str) -> User:
        """Raises: UserNotFound: no such user, or one the caller may not see."""
        if not caller.user.is_admin and user_id != caller.user.id:
            raise UserNotFound
        return await self._accounts.get_user(user_id)

    async def create(
        self, caller: Principal | None, new: NewUser, *, open_registration: bool
    ) -> User:
        """Create a user: anyone when registration is open, otherwise an admin.

        Raises:
            NotAuthenticated: registration is closed and nobody is logged in.
            PermissionDenied: registration is closed to this caller, or a non-admin
                asked for admin rights.
            InvalidRequest, PasswordPolicyViolation, UsernameTaken, EmailTaken:
                as AccountService.create_user.
        """
        is_admin = caller is not None and caller.user.is_admin
        if not open_registration and not is_admin:
            if caller is None:
                raise NotAuthenticated
            raise PermissionDenied("Only administrators can create users")
        if new.is_admin and not is_admin:
            raise PermissionDenied("Only administrators can grant admin rights")
        return await self._accounts.create_user(new)

    async def update(
        self,
        caller: Principal,
        user_id: str,
        changes: UserChanges,
        password: PasswordChange | None,
        client: ClientInfo,
    ) -> User:
        """Apply profile changes and a new password in one transaction.

        Everything is checked before anything is written; a new password ends every
        other session of the user (all of them when an admin sets another's password).

        Raises:
            UserNotFound: no such user, or one the caller may not see.
            PermissionDenied: a non-admin changed admin rights or the disabled flag,
                or changed their own password with an API key.
            InvalidRequest: a malformed field, or the current password is missing.
            PasswordPolicyViolation: the new password breaks a rule or equals the old.
            Throttled, InvalidCredentials: the current password is wrong.
            UsernameTaken, EmailTaken: the new name or address is in use.
        """
        target = await self.get(caller, user_id)
        if not caller.user.is_admin and (
            changes.is_admin is not None or changes.disabled is not None
        ):
            raise PermissionDenied("Only administrators can change admin rights")
        _check_profile(changes)
        password_hash, keep_session = None, None
        if password is not None:
            password_hash, keep_session = await self._new_password(caller, target, password, client)
        ctx = self._ctx
        ended: list[str] = []
        async with ctx.uow() as uow:
            current = await uow.users.find(user_id)
            if current is None:
                raise UserNotFound
            updated = _apply(current, changes)
            await uow.users.update(updated)
            if password_hash is not None:
                updated, ended = await ctx.store_password(
                    uow, updated, password_hash, keep_session=keep_session
                )
            elif updated.disabled and not current.disabled:
                ended = await ctx.end_sessions(uow, user_id)
            await uow.events.add(EventKind.USER, user_id, updated.updated_at)
        ctx.forget_locally(sessions=ended, user_id=user_id)
        # One row per request, named by its weightiest effect; `by` comes from the scope.
        event = AuditEventName.PASSWORD_CHANGE if password else user_change_event(current, updated)
        ctx.audit(event, user_id=user_id, fields=changed_fields(changes))
        return updated

    async def remove(self, caller: Principal, user_id: str) -> User:
        """Delete a user (oneself, or anyone as an admin); their sessions and keys end.

        Raises:
            UserNotFound: no such user, or one the caller may not see.
        """
        await self.get(caller, user_id)
        return await self._accounts.delete_user(user_id)

    async def _new_password(
        self, caller: Principal, target: User, password: PasswordChange, client: ClientInfo
    ) -> tuple[str, str | None]:
        check_new_password(password.new, self._ctx.policy.password_min_length)
        if target.id != caller.user.id:
            # Only an admin gets here (get() hides other users); no current password needed.
            return await self._ctx.new_password_hash(password.new), None
        session_id = require_password_session(caller)
        if not password.current:
            raise InvalidRequest(
                "the current password is required to change it", field="currentPassword"
            )
        user = await self._accounts.check_current_password(target, password.current, client)
        new_hash = await self._ctx.new_password_hash(password.new, old_hash=user.password_hash)
        return new_hash, session_id


def _check_profile(changes: UserChanges) -> None:
    for field in TEXT_FIELDS:
        clean_text(getattr(changes, field), field)
    if changes.username is not None:
        clean_username(changes.username)
    if changes.email is not None:
        clean_email(changes.email)


def _apply(user: User, changes: UserChanges) -> User:
    values: dict[str, object] = {
        name: getattr(changes, name)
        for name in UserChanges.__dataclass_fields__
        if getattr(changes, name) is not None
    }
    if changes.username is not None:
        username = clean_username(changes.username)
        values.update(username=username, username_key=login_key(username))
    if changes.email is not None:
        email = clean_email(changes.email)
        values.update(email=email, email_key=login_key(email))
    return replace(user, **values, updated_at=utcnow())  # type: ignore[arg-type]
