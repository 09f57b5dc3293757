"""AuthService: login, refresh, logout, authenticate, sessions. What every dialect calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from authgate.core.clock import utcnow
from authgate.core.context import CoreContext, require_password_session
from authgate.core.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    PasswordExpired,
    RefreshTokenReused,
    SessionNotFound,
)
from authgate.core.identity import login_key
from authgate.core.models import (
    AuthMethod,
    ClientInfo,
    EventKind,
    Principal,
    RefreshToken,
    Session,
    TokenPair,
    User,
)
from authgate.core.passwords import check_length_for_login
from authgate.core.secrets import digest, new_id, new_refresh_token

if TYPE_CHECKING:
    from authgate.core.ports import UnitOfWork

MAX_REFRESH_TOKEN_LENGTH = 512
REFRESH_SCOPE = "refresh"


class AuthService:
    def __init__(self, ctx: CoreContext) -> None:
        self._ctx = ctx

    async def check_password(self, login: str, password: str, client: ClientInfo) -> User:
        """The user these credentials belong to; the one login rule for every dialect.

        Admitted to the hashing queue first: a refused login has counted no attempt.

        Raises:
            Overloaded: the hashing queue is full.
            InvalidRequest, Throttled, InvalidCredentials, PasswordExpired: as _check_password.
        """
        with self._ctx.hasher.admission():
            return await self._check_password(login, password, client)

    async def _check_password(self, login: str, password: str, client: ClientInfo) -> User:
        """The user these credentials belong to.

        The attempt is counted before any hash is computed; unknown users cost one
        dummy verification so that they cannot be told from a wrong password.

        Raises:
            InvalidRequest: the password is longer than any password can be.
            Throttled: too many recent failures for this account or address.
            InvalidCredentials: unknown user, wrong password or disabled user.
            PasswordExpired: the password is right but has expired.
        """
        ctx = self._ctx
        check_length_for_login(password)
        key = login_key(login)
        await ctx.throttle.attempt(key, client.ip)
        async with ctx.uow(read_only=True) as uow:
            user = await uow.users.find_by_login(key) if key else None
        if user is None:
            await ctx.hasher.burn_time(password)
            ctx.audit("login", "failure", reason="unknown_user", ip=client.ip)
            raise InvalidCredentials
        ok, new_hash = await ctx.hasher.verify_and_update(password, user.password_hash)
        if not ok or user.disabled:
            ctx.audit(
                "login",
                "failure",
                user_id=user.id,
                ip=client.ip,
                reason="disabled" if ok else "wrong_password",
            )
            raise InvalidCredentials
        await ctx.throttle.succeeded(key, client.ip)
        if new_hash is not None:
            user = replace(user, password_hash=new_hash)
            async with ctx.uow() as uow:
                await uow.users.update(user)
        if user.password_expires_at is not None and user.password_expires_at <= utcnow():
            ctx.audit("login", "failure", user_id=user.id, ip=client.ip, reason="password_expired")
            raise PasswordExpired
        return user

    async def login(
        self, login: str, password: str, client: ClientInfo, *, issuer: str
    ) -> TokenPair:
        """Check the password and open a session.

        Raises:
            InvalidRequest, Throttled, InvalidCredentials, PasswordExpired: as check_password.
        """
        user = await self.check_password(login, password, client)
        return await self.open_session(user, client, issuer=issuer)

    async def open_session(self, user: User, client: ClientInfo, *, issuer: str) -> TokenPair:
        ctx = self._ctx
        now = utcnow()
        session = Session(
            id=new_id(),
            user_id=user.id,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(seconds=ctx.policy.refresh_absolute_ttl),
            client_ip=client.ip,
            user_agent=client.user_agent,
        )
        async with ctx.uow() as uow:
            await uow.sessions.add(session)
            refresh = await self._add_refresh_token(uow, session)
        ctx.cache.remember_session(session, live=True)
        ctx.cache.remember_user(user)
        ctx.audit("login", user_id=user.id, session_id=session.id, ip=client.ip)
        return self._token_pair(user, session.id, refresh, issuer)

    async def refresh(self, refresh_token: str, client: ClientInfo, *, issuer: str) -> TokenPair:
        """Rotate a refresh token: the old one dies, a new pair is returned.

        Raises:
            Throttled: too many refused refresh tokens from this address lately.
            InvalidRefreshToken: unknown, expired, or its session or user is gone.
            RefreshTokenReused: it was already rotated; its whole session is ended.
        """
        await self._ctx.throttle.check(REFRESH_SCOPE, subject=None, address=client.ip)
        try:
            return await self._rotate(refresh_token, client, issuer)
        except InvalidRefreshToken:
            await self._ctx.throttle.refused(REFRESH_SCOPE, subject=None, address=client.ip)
            raise

    async def _rotate(self, refresh_token: str, client: ClientInfo, issuer: str) -> TokenPair:
        ctx = self._ctx
        if not refresh_token or len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH:
            raise InvalidRefreshToken
        token_hash = digest(refresh_token)
        now = utcnow()
        async with ctx.uow() as uow:
            claimed = await uow.refresh_tokens.claim(token_hash, now)
            if claimed is None:
                reused = await self._end_reused_session(uow, token_hash, now)
            else:
                reused = None
                user, session, new_refresh = await self._continue_session(uow, claimed, now)
        if reused is not None:
            # Committed above: the session stays ended although this call fails.
            ctx.forget_locally(sessions=[reused])
            ctx.audit("refresh_reuse", "failure", session_id=reused, ip=client.ip)
            raise RefreshTokenReused
        ctx.cache.remember_session(session, live=True)
        ctx.audit("refresh", user_id=user.id, session_id=session.id, ip=client.ip)
        return self._token_pair(user, session.id, new_refresh, issuer)

    async def _end_reused_session(self, uow: UnitOfWork, token_hash: str, now: datetime) -> str:
        """The session a rotated token belonged to, now revoked.

        Raises:
            InvalidRefreshToken: the token is unknown or merely expired.
        """
        known = await uow.refresh_tokens.find_by_hash(token_hash)
        if known is None or known.rotated_at is None:
            raise InvalidRefreshToken
        if await uow.sessions.revoke(known.session_id, now):
            await uow.events.add(EventKind.SESSION, known.session_id, now)
        return known.session_id

    async def _continue_session(
        self, uow: UnitOfWork, claimed: RefreshToken, now: datetime
    ) -> tuple[User, Session, str]:
        """Raises: InvalidRefreshToken: the session or its user is no longer live."""
        session = await uow.sessions.find(claimed.session_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            raise InvalidRefreshToken
        # The user from the cache, as for access tokens: disabling or deleting a user
        # revokes its sessions in the same transaction, so the session read above,
        # under this transaction, already refuses them.
        user = self._ctx.cache.find_user(session.user_id)
        if user is None:
            user = await uow.users.find(session.user_id)
            if user is not None:
                self._ctx.cache.remember_user(user)
        if user is None or user.disabled:
            raise InvalidRefreshToken
        await uow.sessions.touch(session.id, now)
        return user, session, await self._add_refresh_token(uow, session)

    async def logout(self, principal: Principal) -> None:
        """End the caller's session; its access and refresh tokens die everywhere.

        Raises:
            PermissionDenied: the caller used an API key.
            InvalidToken: the session ended after this request was authenticated (a
                concurrent logout): the token is dead, as a later request would find.
        """
        try:
            await self.end_session(principal.user.id, require_password_session(principal))
        except SessionNotFound as e:
            raise InvalidToken("session ended") from e

    async def logout_all(self, principal: Principal) -> int:
        """End every session of the caller, this one included.

        Raises:
            PermissionDenied: the caller used an API key.
        """
        require_password_session(principal)
        async with self._ctx.uow() as uow:
            ended = await self._ctx.end_sessions(uow, principal.user.id)
        self._ctx.forget_locally(sessions=ended)
        self._ctx.audit("logout_all", user_id=principal.user.id, count=len(ended))
        return len(ended)

    async def list_sessions(self, principal: Principal) -> list[Session]:
        """The caller's live sessions, newest first.

        Raises:
            PermissionDenied: the caller used an API key.
        """
        require_password_session(principal)
        async with self._ctx.uow(read_only=True) as uow:
            sessions = await uow.sessions.list_live(principal.user.id, utcnow())
        return sorted(sessions, key=lambda s: s.created_at, reverse=True)

    async def revoke_session(self, principal: Principal, session_id: str) -> None:
        """End one of the caller's sessions.

        Raises:
            PermissionDenied: the caller used an API key.
            SessionNotFound: no live session of the caller has that id.
        """
        require_password_session(principal)
        await self.end_session(principal.user.id, session_id)

    async def end_session(self, user_id: str, session_id: str) -> None:
        """Raises: SessionNotFound: not a live session of that user."""
        ctx = self._ctx
        now = utcnow()
        async with ctx.uow() as uow:
            session = await uow.sessions.find(session_id)
            if session is None or session.user_id != user_id or session.revoked_at is not None:
                raise SessionNotFound
            await uow.sessions.revoke(session_id, now)
            await uow.events.add(EventKind.SESSION, session_id, now)
        ctx.forget_locally(sessions=[session_id])
        ctx.audit("logout", user_id=user_id, session_id=session_id)

    async def authenticate_token(self, token: str, *, issuer: str) -> Principal:
        """The caller behind an access token, if its session is live.

        Raises:
            TokenExpired: the token is past its expiry.
            InvalidToken: bad token, ended session, or a user gone or disabled.
        """
        ctx = self._ctx
        claims = ctx.codec.decode(token, issuer=issuer)
        now = utcnow()
        live = ctx.cache.session_state(claims.sid, claims.sub, now)
        if live is None:
            async with ctx.uow(read_only=True) as uow:
                session = await uow.sessions.find(claims.sid)
            if session is not None:
                # The session's own state is cached; a token naming another user as its
                # subject is refused without ending the session of its real owner.
                ctx.cache.remember_session(
                    session, live=session.revoked_at is None and session.expires_at > now
                )
            live = bool(ctx.cache.session_state(claims.sid, claims.sub, now))
        if not live:
            raise InvalidToken("session ended")
        user = await self.load_user(claims.sub)
        if user is None or user.disabled:
            raise InvalidToken("user not active")
        if claims.client_id is not None:
            # A client_credentials token acts through its API key, with the key's limits.
            await self._check_key_live(claims.client_id, user.id)
        return Principal(
            user=user,
            method=AuthMethod.SESSION if claims.client_id is None else AuthMethod.API_KEY,
            session_id=claims.sid,
            api_key_id=claims.client_id,
            token_id=claims.jti,
            expires_at=claims.exp,
        )

    async def _check_key_live(self, key_id: str, user_id: str) -> None:
        """Raises: InvalidToken: the key was deleted or is not the user's."""
        cache = self._ctx.cache
        key = cache.find_key_by_id(key_id)
        if key is None and not cache.is_key_revoked(key_id):
            async with self._ctx.uow(read_only=True) as uow:
                key = await uow.api_keys.find(key_id)
            if key is not None:
                cache.remember_key(key)
        if key is None or key.user_id != user_id:
            self._ctx.audit(
                "api_key_use", "failure", user_id=user_id, key_id=key_id, reason="deleted_key"
            )
            raise InvalidToken("API key deleted")

    async def load_user(self, user_id: str) -> User | None:
        user = self._ctx.cache.find_user(user_id)
        if user is None:
            async with self._ctx.uow(read_only=True) as uow:
                user = await uow.users.find(user_id)
            if user is not None:
                self._ctx.cache.remember_user(user)
        return user

    async def _add_refresh_token(self, uow: UnitOfWork, session: Session) -> str:
        now = utcnow()
        secret = new_refresh_token()
        idle_end = now + timedelta(seconds=self._ctx.policy.refresh_idle_ttl)
        await uow.refresh_tokens.add(
            RefreshToken(
                id=new_id(),
                session_id=session.id,
                token_hash=digest(secret),
                created_at=now,
                expires_at=min(idle_end, session.expires_at),
                rotated_at=None,
            )
        )
        return secret

    def _token_pair(self, user: User, session_id: str, refresh: str, issuer: str) -> TokenPair:
        issued = self._ctx.codec.issue(user_id=user.id, session_id=session_id, issuer=issuer)
        return TokenPair(
            access_token=issued.token,
            refresh_token=refresh,
            expires_in=self._ctx.codec.ttl,
            session_id=session_id,
            user=user,
        )

    async def sync_revocations(self) -> None:
        """Read the revocation log since the last poll and apply it to this node."""
        since = self._ctx.cache.poll_from()
        async with self._ctx.uow(read_only=True) as uow:
            events = await uow.events.since(since)
        self._ctx.cache.apply(events)
