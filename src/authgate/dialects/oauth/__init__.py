"""Standards: OAuth 2.0 token, revocation, introspection (RFC 6749, 7009, 7662), discovery
(RFC 8414, OpenID Connect) and the JWK Set (RFC 7517)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from authgate.dialects.oauth import errors, rfc6749, rfc7009, rfc7662, rfc8414

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from authgate.http.routing import RouteError


class OAuthDialect:
    name = "oauth"
    prefixes = ("/oauth", rfc8414.PREFIX)

    def build_router(self) -> APIRouter:
        router = APIRouter()
        for module in (rfc6749, rfc7009, rfc7662, rfc8414):
            router.include_router(module.router)
        return router

    def render_error(self, error: RouteError, request: Request) -> Response:
        return errors.render_error(error, request)
