"""Bodies of /auth (seed 003): snake_case, as FastAPI's OAuth2PasswordRequestForm has them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_serializer

from authgate.core.passwords import MAX_PASSWORD_LENGTH


def iso_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


class FormFields(BaseModel):
    # Form posts carry fields a server may not use (OAuth2PasswordRequestForm sends
    # scope, client_id, client_secret); unknown fields are ignored, as FastAPI's Form does.
    model_config = ConfigDict(extra="ignore")


class LoginForm(FormFields):
    grant_type: str | None = Field(default=None, pattern="^password$")
    username: str = Field(min_length=1, max_length=1000, description="Username or email")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = None


class RefreshForm(FormFields):
    grant_type: str | None = Field(default=None, pattern="^refresh_token$")
    refresh_token: str = Field(min_length=1, max_length=512)


class PasswordForm(FormFields):
    username: str = Field(min_length=1, max_length=1000, description="Username or email")
    password: str = Field(
        min_length=1, max_length=MAX_PASSWORD_LENGTH, description="The current password"
    )
    new_password: str = Field(
        min_length=1,
        max_length=MAX_PASSWORD_LENGTH,
        validation_alias=AliasChoices("new_password", "newPassword"),
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int
    refresh_token: str


class UserResponse(BaseModel):
    id: str
    username: str
    email: str
    full_name: str | None
    first_name: str | None
    last_name: str | None
    avatar: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    updated_at: datetime
    password_expires_at: datetime | None

    @field_serializer("created_at", "updated_at", "password_expires_at", when_used="json")
    def _dates(self, value: datetime | None) -> str | None:
        return iso_z(value)


class MessageResponse(BaseModel):
    message: str


class Problem(BaseModel):
    """One item of a 422, as FastAPI writes it, less `input` (it would echo passwords)."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    """FastAPI's error shape: a sentence, or for a 422 the list of problems."""

    detail: str | list[Problem]
