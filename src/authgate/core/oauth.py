"""OAuthService: what the standards need beyond the dialects' login/refresh/logout.

Client credentials are an API key's id and secret (API.md §6). The token they buy
opens its own short session (no refresh token, RFC 6749 §4.4.3) and carries the key's
id as `client_id` and `scope: "api"` (RFC 9068 §2.2): whoever presents it acts through
the key, with the key's limits, and it dies with the key or with its session.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from authgate.core.clock import utcnow
from authgate.core.errors import InvalidToken, NotAuthenticated, SessionNotFound, TokenExpired
from authgate.core.models import ClientInfo, Principal, Session, User
from authgate.core.secrets import digest, new_id
from authgate.core.service import MAX_REFRESH_TOKEN_LENGTH, AuthService

if TYPE_CHECKING:
    from authgate.core.context import CoreContext
    from authgate.core.keys import ApiKeyService
    from authgate.core.tokens import IssuedToken

API_SCOPE = "api"
# RFC 6749 §7.1 token type names, not secrets.
BEARER = "Bearer"
REFRESH_TOKEN_TYPE = "refresh_token"  # noqa: S105  # nosec B105
SESSION_SCOPE = "session"
_MAX_TOKEN_LENGTH = 8192
_MAX_SUBJECT_LENGTH = 128
CLIENT_SCOPE = "client"


class InvalidClient(NotAuthenticated):
    code = "invalid_client"
    message = "Client authentication failed"


@dataclass(frozen=True, slots=True)
class Introspection:
    """RFC 7662 §2.2. Only `active` is set for a token the caller may not see."""

    active: bool
    token_type: str | None = None
    sub: str | None = None
    username: str | None = None
    client_id: str | None = None
    scope: str | None = None
    exp: int | None = None
    iat: int | None = None
    iss: str | None = None
    aud: str | None = None
    jti: str | None = None
    sid: str | None = None


INACTIVE = Introspection(active=False)


class OAuthService:
    def __init__(self, ctx: CoreContext, auth: AuthService, keys: ApiKeyService) -> None:
        self._ctx = ctx
        self._auth = auth
        self._keys = keys

    async def authenticate_client(
        self, client_id: str, client_secret: str, info: ClientInfo
    ) -> Principal:
        """The owner of the API key whose id and secret these are.

        Raises:
            Throttled: too many refused secrets for this client id or from this address.
            InvalidClient: unknown key, a secret of another key, or a disabled owner.
        """
        throttle = self._ctx.throttle
        subject = client_id if len(client_id) <= _MAX_SUBJECT_LENGTH else digest(client_id)
        await throttle.check(CLIENT_SCOPE, subject=subject, address=info.ip)
        try:
            return await self._check_client(client_id, client_secret)
        except InvalidClient:
            await throttle.refused(CLIENT_SCOPE, subject=subject, address=info.ip)
            raise

    async def _check_client(self, client_id: str, client_secret: str) -> Principal:
        if not client_id or not self._keys.is_api_key(client_secret):
            raise InvalidClient
        try:
            principal = await self._keys.authenticate(client_secret)
        except InvalidToken as e:
            raise InvalidClient from e
        if not hmac.compare_digest((principal.api_key_id or "").encode(), client_id.encode()):
            self._ctx.audit(
                "api_key_use",
                "failure",
                user_id=principal.user.id,
                key_id=principal.api_key_id,
                reason="client_id_mismatch",
            )
            raise InvalidClient
        return principal

    async def issue_client_token(
        self, client: Principal, info: ClientInfo, *, issuer: str
    ) -> IssuedToken:
        """An access token for the client_credentials grant, acting through the key."""
        ctx = self._ctx
        now = utcnow()
        session = Session(
            id=new_id(),
            user_id=client.user.id,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(seconds=ctx.codec.ttl),
            client_ip=info.ip,
            user_agent=info.user_agent,
        )
        async with ctx.uow() as uow:
            await uow.sessions.add(session)
        ctx.cache.remember_session(session, live=True)
        ctx.audit(
            "client_credentials",
            user_id=client.user.id,
            key_id=client.api_key_id,
            session_id=session.id,
            ip=info.ip,
        )
        return ctx.codec.issue(
            user_id=client.user.id,
            session_id=session.id,
            issuer=issuer,
            client_id=client.api_key_id,
            scope=API_SCOPE,
        )

    async def revoke(self, token: str, *, issuer: str) -> None:
        """End the session of an access or refresh token; unknown tokens are ignored
        (RFC 7009 §2.2: the client cannot act on the difference)."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return
        found: tuple[str, str] | None
        if token.count(".") == 2:
            try:
                claims = self._ctx.codec.decode(token, issuer=issuer)
            except InvalidToken:  # expired ones too: nothing left to revoke
                return
            found = (claims.sub, claims.sid)
        else:
            found = await self._refresh_session(token)
        if found is None:
            return
        try:
            await self._auth.end_session(*found)
        except SessionNotFound:
            return

    async def introspect(self, caller: Principal, token: str, *, issuer: str) -> Introspection:
        """What a resource server may know of a token: its owner's, or any for an admin."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return INACTIVE
        if token.count(".") == 2:
            return await self._introspect_access(caller, token, issuer)
        return await self._introspect_refresh(caller, token)

    async def _introspect_access(self, caller: Principal, token: str, issuer: str) -> Introspection:
        try:
            principal = await self._auth.authenticate_token(token, issuer=issuer)
            claims = self._ctx.codec.decode(token, issuer=issuer)
        except (InvalidToken, TokenExpired):
            return INACTIVE
        if not _may_see(caller, principal.user):
            return INACTIVE
        return Introspection(
            active=True,
            token_type=BEARER,
            sub=claims.sub,
            username=principal.user.username,
            client_id=claims.client_id,
            scope=claims.scope or SESSION_SCOPE,
            exp=claims.exp,
            iat=claims.iat,
            iss=claims.iss,
            aud=claims.aud,
            jti=claims.jti,
            sid=claims.sid,
        )

    async def _introspect_refresh(self, caller: Principal, token: str) -> Introspection:
        if len(token) > MAX_REFRESH_TOKEN_LENGTH:
            return INACTIVE
        now = utcnow()
        async with self._ctx.uow(read_only=True) as uow:
            stored = await uow.refresh_tokens.find_by_hash(digest(token))
            if stored is None or stored.rotated_at is not None or stored.expires_at <= now:
                return INACTIVE
            session = await uow.sessions.find(stored.session_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            return INACTIVE
        user = await self._auth.load_user(session.user_id)
        if user is None or user.disabled or not _may_see(caller, user):
            return INACTIVE
        return Introspection(
            active=True,
            token_type=REFRESH_TOKEN_TYPE,
            sub=user.id,
            username=user.username,
            scope=SESSION_SCOPE,
            exp=int(stored.expires_at.timestamp()),
            iat=int(stored.created_at.timestamp()),
            sid=session.id,
        )

    async def _refresh_session(self, token: str) -> tuple[str, str] | None:
        if len(token) > MAX_REFRESH_TOKEN_LENGTH:
            return None
        async with self._ctx.uow(read_only=True) as uow:
            stored = await uow.refresh_tokens.find_by_hash(digest(token))
            session = await uow.sessions.find(stored.session_id) if stored else None
        return (session.user_id, session.id) if session is not None else None


def _may_see(caller: Principal, owner: User) -> bool:
    return caller.user.is_admin or caller.user.id == owner.id
