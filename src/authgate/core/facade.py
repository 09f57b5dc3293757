"""Core: the three services a dialect calls, and the credential dispatch they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from authgate.core.accounts import AccountService
from authgate.core.audit import AuditService, note_actor
from authgate.core.directory import UserDirectory
from authgate.core.keys import ApiKeyService
from authgate.core.oauth import OAuthService
from authgate.core.service import AuthService

if TYPE_CHECKING:
    from authgate.core.context import CoreContext
    from authgate.core.models import Principal


@dataclass(frozen=True, slots=True)
class Core:
    ctx: CoreContext
    auth: AuthService
    accounts: AccountService
    keys: ApiKeyService
    directory: UserDirectory
    oauth: OAuthService
    audit: AuditService

    @classmethod
    def build(cls, ctx: CoreContext) -> Core:
        auth = AuthService(ctx)
        accounts = AccountService(ctx, auth)
        keys = ApiKeyService(ctx, auth)
        return cls(
            ctx=ctx,
            auth=auth,
            accounts=accounts,
            keys=keys,
            directory=UserDirectory(ctx, accounts),
            oauth=OAuthService(ctx, auth, keys),
            audit=AuditService(ctx.trail),
        )

    async def authenticate(self, credential: str, *, issuer: str) -> Principal:
        """The caller behind an access token or an API key.

        Raises:
            TokenExpired: an expired access token.
            InvalidToken: anything else that does not authenticate.
        """
        if self.keys.is_api_key(credential):
            principal = await self.keys.authenticate(credential)
        else:
            principal = await self.auth.authenticate_token(credential, issuer=issuer)
        note_actor(principal.user.id)
        return principal
