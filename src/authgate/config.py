"""Settings: the only reader of the environment and of `.env`.

Every field `x` is read from `AUTHGATE_X`. A bad value stops the start with one line
naming the variable (see `describe_validation_error`).
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    FilePath,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DialectName = Literal["feathers", "v1", "legacy", "form", "oauth"]
ALL_DIALECTS: tuple[DialectName, ...] = ("feathers", "v1", "legacy", "form", "oauth")
_ORIGIN = re.compile(r"^https?://[^/?#\s]+$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTHGATE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    database_url: str = "sqlite:///./authgate.db"
    redis_url: str | None = None
    redis_prefix: str = "authgate:"
    secret_key: str | None = Field(default=None, min_length=32, repr=False)

    access_token_ttl: int = Field(default=3600, ge=30, le=86400)
    refresh_idle_ttl: int = Field(default=14 * 86400, ge=60)
    refresh_absolute_ttl: int = Field(default=30 * 86400, ge=60)
    clock_skew: int = Field(default=5, ge=0, le=300)
    issuer: AnyHttpUrl | None = None
    audience: str = Field(default="authgate", min_length=1)
    jwt_algorithm: Literal["HS256", "RS256", "ES256", "EdDSA"] = "HS256"
    # Key material that encrypts the private signing keys at rest (instead of SECRET_KEY).
    jwt_private_key_file: FilePath | None = None
    # How often a process re-reads the signing keys (a rotation elsewhere reaches it).
    jwt_key_reload_interval: float = Field(default=10.0, gt=0, le=300)
    # A rotated key is published this long before it signs (at least two reloads): JWKS
    # clients that refetch at most every 30 s (PyJWT's PyJWKClient) see it in time.
    jwt_key_publish_ahead: float = Field(default=60.0, ge=0, le=3600)

    allow_registration: bool = False
    password_max_age_days: int = Field(default=0, ge=0, le=36500)
    password_min_length: int = Field(default=8, ge=8, le=1024)
    api_key_prefix: str = Field(default="sk_live_", pattern=r"^[A-Za-z0-9_\-]{1,32}$")

    argon2_memory_kib: int = Field(default=19456, ge=8192)
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_parallelism: int = Field(default=1, ge=1)
    hash_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=64)

    throttle_account_failures: int = Field(default=5, ge=1)
    throttle_address_failures: int = Field(default=50, ge=1)
    throttle_window: int = Field(default=900, ge=1)
    throttle_base_delay: int = Field(default=30, ge=1)
    throttle_max_delay: int = Field(default=900, ge=1)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Audit rows older than this are pruned; 0 keeps them forever.
    audit_retention_days: int = Field(default=90, ge=0, le=36500)

    # Browser origins allowed to call the API (CORS). Empty: no CORS headers at all.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Cookies and HTTP auth in cross-origin calls; bearer tokens do not need it.
    cors_allow_credentials: bool = False

    revocation_poll_interval: float = Field(default=0.25, gt=0, le=1.0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    dialects: Annotated[list[DialectName], NoDecode] = Field(
        default_factory=lambda: list(ALL_DIALECTS)
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("trusted_proxies", "dialects", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # Browsers send `scheme://host[:port]` and CORSMiddleware compares it exactly, so
        # a path or a trailing slash would never match: refuse it rather than ignore it.
        for origin in value:
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
        return value

    @field_validator("cors_allow_credentials")
    @classmethod
    def _no_wildcard_with_credentials(cls, value: bool, info: ValidationInfo) -> bool:
        # Starlette answers `*` with credentials by echoing whatever Origin came in,
        # which lets every web page make credentialed calls: never allow the pair.
        if value and "*" in info.data.get("cors_origins", ()):
            raise ValueError("cannot be true while AUTHGATE_CORS_ORIGINS is *")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "sqlite+", "postgresql:", "postgresql+", "postgres:")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad variable, naming it as the operator wrote it."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        lines.append(f"invalid AUTHGATE_{field.upper()}: {problem['msg']}")
    return "\n".join(lines)
