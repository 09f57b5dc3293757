"""ApiKeyService: keys for server-to-server calls, shown once, stored as digests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authgate.core.clock import utcnow
from authgate.core.context import CoreContext, require_password_session
from authgate.core.errors import ApiKeyNotFound, InvalidRequest, InvalidToken
from authgate.core.identity import clean_text
from authgate.core.models import ApiKey, AuthMethod, EventKind, NewApiKey, Principal
from authgate.core.secrets import (
    digest,
    looks_like_api_key,
    mask_api_key,
    new_api_key_id,
    new_api_key_secret,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from authgate.core.service import AuthService

MAX_KEY_NAME = 100


class ApiKeyService:
    def __init__(self, ctx: CoreContext, auth: AuthService) -> None:
        self._ctx = ctx
        self._auth = auth
        self._last_written: dict[str, float] = {}

    @property
    def prefix(self) -> str:
        return self._ctx.policy.api_key_prefix

    def is_api_key(self, credential: str) -> bool:
        return looks_like_api_key(credential, self.prefix)

    def mask(self, key: ApiKey) -> str:
        return mask_api_key(self.prefix, key.last4)

    async def create(self, principal: Principal, name: str) -> NewApiKey:
        """Create a key for the caller; the secret is in the result and nowhere else.

        Raises:
            PermissionDenied: the caller used an API key.
            InvalidRequest: the name is empty, too long or holds control characters.
        """
        require_password_session(principal)
        name = name.strip()
        if not 1 <= len(name) <= MAX_KEY_NAME:
            raise InvalidRequest(f"name must be 1 to {MAX_KEY_NAME} characters", field="name")
        clean_text(name, "name")
        secret = new_api_key_secret(self.prefix)
        key = ApiKey(
            id=new_api_key_id(),
            user_id=principal.user.id,
            name=name,
            secret_hash=digest(secret),
            last4=secret[-4:],
            created_at=utcnow(),
            last_used_at=None,
        )
        async with self._ctx.uow() as uow:
            await uow.api_keys.add(key)
        self._ctx.audit("api_key_create", user_id=principal.user.id, key_id=key.id)
        return NewApiKey(key=key, secret=secret)

    async def list(self, principal: Principal) -> Sequence[ApiKey]:
        """The caller's keys, oldest first.

        Raises:
            PermissionDenied: the caller used an API key.
        """
        require_password_session(principal)
        async with self._ctx.uow(read_only=True) as uow:
            keys = await uow.api_keys.list_for_user(principal.user.id)
        return sorted(keys, key=lambda k: (k.created_at, k.id))

    async def delete(self, principal: Principal, key_id_or_secret: str) -> ApiKey:
        """Delete one of the caller's keys, named by id or by its full secret.

        Raises:
            PermissionDenied: the caller used an API key.
            ApiKeyNotFound: no key of the caller matches (another user's key included).
        """
        require_password_session(principal)
        async with self._ctx.uow() as uow:
            if self.is_api_key(key_id_or_secret):
                key = await uow.api_keys.find_by_hash(digest(key_id_or_secret))
            else:
                key = await uow.api_keys.find(key_id_or_secret)
            if key is None or key.user_id != principal.user.id:
                raise ApiKeyNotFound
            await uow.api_keys.delete(key.id)
            await uow.events.add(EventKind.API_KEY, key.id, utcnow())
        self._ctx.cache.forget_key(key.id)
        self._last_written.pop(key.id, None)
        self._ctx.audit("api_key_delete", user_id=principal.user.id, key_id=key.id)
        return key

    async def authenticate(self, secret: str) -> Principal:
        """The owner of a key, acting through it.

        Raises:
            InvalidToken: unknown or deleted key, or its owner gone or disabled.
        """
        ctx = self._ctx
        secret_hash = digest(secret)
        key = ctx.cache.find_key(secret_hash)
        if key is None:
            async with ctx.uow(read_only=True) as uow:
                key = await uow.api_keys.find_by_hash(secret_hash)
            if key is None:
                ctx.audit("api_key_use", "failure", reason="unknown_key")
                raise InvalidToken("invalid API key")
            ctx.cache.remember_key(key)
        user = await self._auth.load_user(key.user_id)
        if user is None or user.disabled:
            ctx.audit(
                "api_key_use", "failure", user_id=key.user_id, key_id=key.id, reason="disabled"
            )
            raise InvalidToken("invalid API key")
        await self._mark_used(key)
        return Principal(user=user, method=AuthMethod.API_KEY, api_key_id=key.id)

    async def _mark_used(self, key: ApiKey) -> None:
        # lastUsed is written at most once a minute per key: a write per API call
        # would make every call a database transaction.
        now = utcnow()
        interval = self._ctx.policy.key_last_used_interval
        last = self._last_written.get(key.id)
        if last is not None and now.timestamp() - last < interval:
            return
        self._last_written[key.id] = now.timestamp()
        async with self._ctx.uow() as uow:
            await uow.api_keys.mark_used(key.id, now, min_interval=interval)
