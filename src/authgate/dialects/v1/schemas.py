"""Request and response bodies of /api/v1/auth (seed 001), camelCase as the seed writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_serializer

from authgate.core.passwords import MAX_PASSWORD_LENGTH


def iso_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


class Strict(BaseModel):
    # Unknown fields are refused, not ignored: a body that tries to set is_admin fails.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=1000, description="Username or email")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshRequest(Strict):
    refreshToken: str = Field(min_length=1, max_length=512)


class PasswordChangeRequest(Strict):
    username: str = Field(min_length=1, max_length=1000)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    newPassword: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class KeyCreateRequest(Strict):
    name: str = Field(min_length=1, max_length=100)


class Timestamped(BaseModel):
    @field_serializer("*", when_used="json")
    def _dates(self, value: object) -> object:
        return iso_z(value) if isinstance(value, datetime) else value


class LoginUser(BaseModel):
    id: str
    username: str
    email: str


class LoginResponse(BaseModel):
    token: str
    expires_in: int
    refreshToken: str
    user: LoginUser


class RefreshResponse(BaseModel):
    token: str
    expires_in: int
    refreshToken: str


class MessageResponse(BaseModel):
    message: str


class LogoutAllResponse(MessageResponse):
    sessionsEnded: int


class ErrorResponse(BaseModel):
    error: str


class MeResponse(Timestamped):
    id: str
    username: str
    email: str
    name: str | None
    firstName: str | None
    lastName: str | None
    avatar: str | None
    isAdmin: bool
    createdAt: datetime
    updatedAt: datetime
    passwordExpiresAt: datetime | None


class KeyCreated(Timestamped):
    keyId: str
    apiKey: str
    name: str
    createdAt: datetime


class KeyListed(Timestamped):
    keyId: str
    name: str
    createdAt: datetime
    lastUsed: datetime | None


class SessionListed(Timestamped):
    id: str
    createdAt: datetime
    lastUsedAt: datetime
    expiresAt: datetime
    ip: str | None
    userAgent: str | None
    current: bool


class AuditEventListed(BaseModel):
    id: int
    occurredAt: datetime = Field(
        description="UTC, ISO 8601 with milliseconds", json_schema_extra={"format": "date-time"}
    )
    event: str
    outcome: str
    userId: str | None
    sessionId: str | None
    ip: str | None
    userAgent: str | None
    detail: dict[str, JsonValue] = Field(
        description="Small, never secret: reason, key_id, fields, by (the acting user), ..."
    )

    @field_serializer("occurredAt", when_used="json")
    def _millis(self, value: datetime) -> str:
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditPage(BaseModel):
    events: list[AuditEventListed] = Field(description="Newest first")
    nextCursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )
