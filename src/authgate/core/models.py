"""Frozen records the core passes around. Timestamps are aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    email: str
    username_key: str
    email_key: str
    name: str | None
    first_name: str | None
    last_name: str | None
    avatar: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime | None
    password_expires_at: datetime | None
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    client_ip: str | None
    user_agent: str | None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    id: str
    session_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    rotated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    user_id: str
    name: str
    secret_hash: str = field(repr=False)
    last4: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """An API key as created: the only time the secret exists in clear."""

    key: ApiKey
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    session_id: str
    user: User


class EventKind(StrEnum):
    """What a revocation event invalidates in every node's caches."""

    SESSION = "session"
    API_KEY = "api_key"
    USER = "user"


@dataclass(frozen=True, slots=True)
class RevocationEvent:
    id: int
    kind: EventKind
    subject_id: str
    created_at: datetime


class AuthMethod(StrEnum):
    SESSION = "session"
    API_KEY = "api_key"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user, through a password session or an API key."""

    user: User
    method: AuthMethod
    session_id: str | None = None
    api_key_id: str | None = None
    token_id: str | None = None
    expires_at: int | None = None


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields a profile update may set; None means leave as is."""

    username: str | None = None
    email: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    avatar: str | None = None
    is_admin: bool | None = None
    disabled: bool | None = None
