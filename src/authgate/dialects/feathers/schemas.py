"""Bodies of /authentication and /users (seed 000), camelCase as Feathers apps write them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from authgate.core.passwords import MAX_PASSWORD_LENGTH

if TYPE_CHECKING:
    from datetime import datetime

    from authgate.core.models import User


def iso_ms(value: datetime) -> str:
    """A timestamp as JavaScript's Date#toISOString writes it (what Feathers sends)."""
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The user as /users and /authentication show it, in the seed's order. Never a password.
USER_FIELDS = ("id", "email", "username", "name", "avatar", "createdAt", "updatedAt")


def user_json(user: User, select: tuple[str, ...] | None = None) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "name": user.name,
        "avatar": user.avatar,
        "createdAt": iso_ms(user.created_at),
        "updatedAt": iso_ms(user.updated_at),
    }
    if select is None:
        return full
    # adapter-commons `select` always keeps the id field.
    return {k: v for k, v in full.items() if k == "id" or k in select}


class Strict(BaseModel):
    # Unknown fields are refused: a typo must not be silently dropped, nor a hash stored.
    model_config = ConfigDict(extra="forbid")


Password = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class UserCreate(Strict):
    email: StrictStr = Field(max_length=254)
    password: StrictStr = Password
    username: StrictStr = Field(max_length=150)
    name: StrictStr | None = Field(default=None, max_length=255)
    firstName: StrictStr | None = Field(default=None, max_length=255)
    lastName: StrictStr | None = Field(default=None, max_length=255)
    avatar: StrictStr | None = Field(default=None, max_length=2048)
    isAdmin: StrictBool = False


class UserPatch(Strict):
    email: StrictStr | None = Field(default=None, max_length=254)
    username: StrictStr | None = Field(default=None, max_length=150)
    name: StrictStr | None = Field(default=None, max_length=255)
    firstName: StrictStr | None = Field(default=None, max_length=255)
    lastName: StrictStr | None = Field(default=None, max_length=255)
    avatar: StrictStr | None = Field(default=None, max_length=2048)
    isAdmin: StrictBool | None = None
    password: StrictStr | None = Field(default=None, min_length=1, max_length=MAX_PASSWORD_LENGTH)
    currentPassword: StrictStr | None = Field(
        default=None, min_length=1, max_length=MAX_PASSWORD_LENGTH
    )


# Documentation models: the routes build their JSON by hand (user_json, $select), so
# these only describe it in /openapi.json and are not applied to the answers.
class FeathersError(BaseModel):
    """@feathersjs/errors' JSON: `errors` maps a field to what is wrong with it."""

    name: str
    message: str
    code: int
    className: str
    errors: dict[str, str]


class UserOut(BaseModel):
    """A user; with `$select`, only the fields asked for (id always)."""

    id: str
    email: str | None = None
    username: str | None = None
    name: str | None = None
    avatar: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None


class UsersPage(BaseModel):
    total: int
    limit: int
    skip: int
    data: list[UserOut]


class AuthenticationRequest(BaseModel):
    """`local`: email and password; `jwt`: accessToken (authentication.create)."""

    strategy: Literal["local", "jwt"]
    email: str | None = None
    password: str | None = None
    accessToken: str | None = None


class AuthenticationInfo(BaseModel):
    strategy: str
    accessToken: str | None = None
    payload: dict[str, Any]


class AuthenticationResult(BaseModel):
    accessToken: str
    authentication: AuthenticationInfo
    user: UserOut
