"""Discovery (RFC 8414, OpenID Connect Discovery 1.0) and the JWK Set (RFC 7517)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter
from starlette.responses import JSONResponse

from authgate.dialects.oauth.errors import render_error
from authgate.dialects.oauth.rfc6749 import GRANTS
from authgate.dialects.oauth.schemas import JwkSet, Metadata
from authgate.http.context import CoreDep, IssuerDep
from authgate.http.routing import dialect_route

if TYPE_CHECKING:
    from collections.abc import Mapping

    from authgate.core.facade import Core

PREFIX = "/.well-known"
router = APIRouter(prefix=PREFIX, tags=["oauth"], route_class=dialect_route(render_error))
_METADATA_MAX_AGE = 3600


def metadata(core: Core, issuer: str) -> dict[str, object]:
    keys = core.ctx.codec.keys
    client_auth = ["client_secret_basic", "client_secret_post"]
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "jwks_uri": f"{issuer}{PREFIX}/jwks.json",
        "grant_types_supported": list(GRANTS),
        # No authorization endpoint: no grant here goes through the browser.
        "response_types_supported": [],
        "scopes_supported": ["session", "api"],
        "token_endpoint_auth_methods_supported": [*client_auth, "none"],
        "revocation_endpoint_auth_methods_supported": [*client_auth, "none"],
        "introspection_endpoint_auth_methods_supported": [*client_auth, "bearer"],
        "subject_types_supported": ["public"],
        "token_signing_alg_values_supported": keys.algorithms,
        "id_token_signing_alg_values_supported": keys.algorithms,
    }


def _cached(body: Mapping[str, object], max_age: int) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": f"public, max-age={max_age}"})


@router.get(
    "/oauth-authorization-server",
    summary="Authorization server metadata (RFC 8414)",
    responses={200: {"model": Metadata, "description": "The metadata"}},
)
async def oauth_metadata(core: CoreDep, issuer: IssuerDep) -> JSONResponse:
    return _cached(metadata(core, issuer), _METADATA_MAX_AGE)


@router.get(
    "/openid-configuration",
    summary="OpenID Connect discovery metadata",
    responses={200: {"model": Metadata, "description": "The metadata"}},
)
async def openid_configuration(core: CoreDep, issuer: IssuerDep) -> JSONResponse:
    return _cached(metadata(core, issuer), _METADATA_MAX_AGE)


@router.get(
    "/jwks.json",
    summary="The public signing keys (RFC 7517); never an HMAC secret",
    responses={200: {"model": JwkSet, "description": "The JWK Set"}},
)
async def jwks(core: CoreDep) -> JSONResponse:
    keys = core.ctx.codec.keys
    return _cached(keys.jwks(), keys.cache_seconds)
