"""Bodies of seed 002: lowercase requests, PascalCase login answer, lowercase auth headers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from authgate.core.passwords import MAX_PASSWORD_LENGTH


def iso_z(value: datetime | None) -> str | None:
    # API.md §1: UTC with "Z"; the seed's examples ("2023-01-15T10:30:42") omit the zone.
    if value is None:
        return None
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


class Strict(BaseModel):
    # Unknown fields are refused, not ignored: a body that tries to set is_admin fails.
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=1000, description="Username or email")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class PasswordChangeRequest(Strict):
    username: str = Field(min_length=1, max_length=1000, description="Username or email")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH, description="Current")
    newPassword: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class AuthHeaderCreateRequest(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["production-api-key"])


class AuthHeaderDeleteRequest(Strict):
    text: str = Field(
        min_length=1, max_length=200, description="The full auth header token, or its id"
    )


class Timestamped(BaseModel):
    @field_serializer("*", when_used="json")
    def _dates(self, value: object) -> object:
        return iso_z(value) if isinstance(value, datetime) else value


class LoginResponse(Timestamped):
    Id: str
    Created: datetime
    Username: str
    Email: str
    Firstname: str | None
    Lastname: str | None
    Token: str
    PasswordExpiration: datetime | None


class AuthHeader(Timestamped):
    id: str
    name: str
    token: str = Field(description="The full token when created; masked in the list")
    created: datetime


class MessageResponse(BaseModel):
    message: str
