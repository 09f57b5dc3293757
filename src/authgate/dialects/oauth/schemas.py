"""What the standard endpoints answer, for /openapi.json only: the handlers build JSON
by hand (parameters are read from the form, answers carry no-store headers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class OAuthError(BaseModel):
    """RFC 6749 §5.2."""

    error: str
    error_description: str


class TokenResponse(BaseModel):
    """RFC 6749 §5.1; no refresh token for client_credentials."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | None = None
    scope: str


class Introspection(BaseModel):
    """RFC 7662 §2.2: only `active` when the token is not."""

    active: bool
    scope: str | None = None
    client_id: str | None = None
    username: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    sub: str | None = None
    aud: str | None = None
    iss: str | None = None
    jti: str | None = None
    sid: str | None = None


class Metadata(BaseModel):
    """RFC 8414 §2, the fields this server publishes."""

    issuer: str
    token_endpoint: str
    revocation_endpoint: str
    introspection_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    response_types_supported: list[str]
    scopes_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    subject_types_supported: list[str]
    token_signing_alg_values_supported: list[str]
    id_token_signing_alg_values_supported: list[str]


class JwkSet(BaseModel):
    """RFC 7517 §5: public keys only (empty with HS256)."""

    keys: list[dict[str, Any]]
