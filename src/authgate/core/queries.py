"""UserQuery: a typed search over users, as list endpoints (Feathers `find`) ask for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from authgate.core.errors import InvalidRequest

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from authgate.core.models import User

MAX_PAGE_SIZE = 100


class UserField(StrEnum):
    """The user attributes a query may filter or sort on; never the password hash."""

    ID = "id"
    USERNAME = "username"
    EMAIL = "email"
    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    AVATAR = "avatar"
    IS_ADMIN = "is_admin"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


# Equality on these compares the normalised key (API.md §1: case-insensitive, NFKC).
KEYED_FIELDS = {UserField.USERNAME: "username_key", UserField.EMAIL: "email_key"}
FILTERABLE = frozenset(UserField) - {UserField.CREATED_AT, UserField.UPDATED_AT}


@dataclass(frozen=True, slots=True)
class SortKey:
    field: UserField
    descending: bool = False


@dataclass(frozen=True, slots=True)
class UserQuery:
    """All conditions must hold; results are sorted by `sort`, then by id for stable pages.

    `equals` maps a field to the value it must equal (None matches a missing value);
    `ids_in` (when not None) and `ids_not_in` restrict the ids.
    """

    equals: Mapping[UserField, str | bool | None] = field(default_factory=dict)
    ids_in: frozenset[str] | None = None
    ids_not_in: frozenset[str] = frozenset()
    sort: tuple[SortKey, ...] = ()
    offset: int = 0
    limit: int = 10

    def __post_init__(self) -> None:
        """Raises: InvalidRequest: a limit, offset or filter out of range."""
        if not 0 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit must be 0 to {MAX_PAGE_SIZE}", field="$limit")
        if self.offset < 0:
            raise InvalidRequest("skip must not be negative", field="$skip")
        if any(f not in FILTERABLE for f in self.equals):
            raise InvalidRequest("timestamps cannot be filtered on by equality")

    def restricted_to(self, user_id: str) -> UserQuery:
        """The same query, able to match one user at most."""
        ids = frozenset({user_id}) if self.ids_in is None else self.ids_in & {user_id}
        return UserQuery(
            equals=self.equals,
            ids_in=ids,
            ids_not_in=self.ids_not_in,
            sort=self.sort,
            offset=self.offset,
            limit=self.limit,
        )


@dataclass(frozen=True, slots=True)
class UserPage:
    total: int
    users: Sequence[User]
