"""Feathers `find` query strings (`$limit`, `$sort[email]=-1`, `id[$in][]=…`) -> UserQuery.

Feathers parses the query string with `qs`: brackets nest, `[]` and `[0]` make lists.
We parse the same shapes, then accept only what authgate can answer exactly; anything
else is a BadRequest rather than a silently ignored condition.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from authgate.core.errors import InvalidRequest
from authgate.core.queries import FILTERABLE, MAX_PAGE_SIZE, SortKey, UserField, UserQuery

if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_LIMIT = 10
MAX_PARAMS = 200
_MAX_DEPTH = 3
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
FIELDS = {
    "id": UserField.ID,
    "email": UserField.EMAIL,
    "username": UserField.USERNAME,
    "name": UserField.NAME,
    "avatar": UserField.AVATAR,
    "createdAt": UserField.CREATED_AT,
    "updatedAt": UserField.UPDATED_AT,
}
SELECTABLE = tuple(FIELDS)


class Find:
    """A parsed find: the core query and the fields to show (None: all)."""

    def __init__(self, query: UserQuery, select: tuple[str, ...] | None) -> None:
        self.query = query
        self.select = select


def parse_find(items: Iterable[tuple[str, str]]) -> Find:
    """Raises: InvalidRequest: an unknown operator or field, or a malformed value."""
    tree = _nest(items)
    limit, offset, select = DEFAULT_LIMIT, 0, None
    sort: tuple[SortKey, ...] = ()
    equals: dict[UserField, str | bool | None] = {}
    ids_in: frozenset[str] | None = None
    ids_not_in: frozenset[str] = frozenset()
    for key, node in tree.items():
        if key == "$limit":
            limit = _limit(_one(node, key))
        elif key == "$skip":
            offset = _non_negative(_one(node, key), key)
        elif key == "$sort":
            sort = _sort(node)
        elif key == "$select":
            select = tuple(_field(name, SELECTABLE, key) for name in _many(node, key))
        elif key.startswith("$"):
            raise InvalidRequest(f"Invalid filter value {key}")
        else:
            field = FIELDS.get(key)
            if field is None:
                raise InvalidRequest(f"Invalid query field {key}")
            if isinstance(node, list):
                if field not in FILTERABLE:
                    raise InvalidRequest(f"{key} cannot be filtered on")
                equals[field] = _one(node, key)
            elif field is UserField.ID:
                ids_in, ids_not_in = _id_operators(node, ids_in, ids_not_in)
            else:
                raise InvalidRequest(f"Invalid query parameter {next(iter(node))}")
    return Find(
        UserQuery(
            equals=equals,
            ids_in=ids_in,
            ids_not_in=ids_not_in,
            sort=sort,
            offset=offset,
            limit=limit,
        ),
        select,
    )


def _nest(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """qs-style nesting; every leaf is the list of values given for it."""
    root: dict[str, Any] = {}
    for count, (raw, value) in enumerate(items, start=1):
        if count > MAX_PARAMS:
            raise InvalidRequest("Too many query parameters")
        match = _KEY.match(raw)
        if match is None:
            raise InvalidRequest(f"Invalid query parameter {raw}")
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        if len(path) > _MAX_DEPTH:
            raise InvalidRequest(f"Invalid query parameter {raw}")
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InvalidRequest(f"Invalid query parameter {raw}")
        leaf = node.setdefault(path[-1], [])
        if not isinstance(leaf, list):
            raise InvalidRequest(f"Invalid query parameter {raw}")
        leaf.append(value)
    return root


def _many(node: Any, key: str) -> list[str]:
    """Values of `k=a`, `k[]=a&k[]=b` or `k[0]=a&k[1]=b`."""
    if isinstance(node, list):
        return node
    # An index past 9 digits is refused: int() of a 4,301-digit string raises.
    if all(k == "" or (_digits(k) and len(k) <= 9) for k in node) and all(
        isinstance(v, list) for v in node.values()
    ):
        ordered = sorted(node.items(), key=lambda kv: int(kv[0]) if kv[0] else -1)
        return [value for _, values in ordered for value in values]
    raise InvalidRequest(f"Invalid value for {key}")


def _one(node: Any, key: str) -> str:
    values = _many(node, key)
    if len(values) != 1:
        raise InvalidRequest(f"{key} takes one value")
    return values[0]


def _non_negative(value: str, key: str) -> int:
    if not _digits(value) or len(value) > 9:
        raise InvalidRequest(f"{key} must be a non-negative integer")
    return int(value)


def _limit(value: str) -> int:
    # adapter-commons getLimit: a negative limit means the default; above the max, the max.
    if value.startswith("-") and _digits(value[1:]):
        return DEFAULT_LIMIT
    return min(_non_negative(value, "$limit"), MAX_PAGE_SIZE)


def _digits(value: str) -> bool:
    # ASCII only: str.isdigit() is also true for a superscript two, which int() refuses,
    # and for Arabic-Indic digits, which int() reads as a number no Feathers client meant.
    return value.isascii() and value.isdigit()


def _field(name: str, allowed: tuple[str, ...], key: str) -> str:
    if name not in allowed:
        raise InvalidRequest(f"Invalid field {name} in {key}")
    return name


def _sort(node: Any) -> tuple[SortKey, ...]:
    if not isinstance(node, dict):
        raise InvalidRequest("$sort must look like $sort[field]=1")
    keys = []
    for name, direction in node.items():
        field = FIELDS[_field(name, SELECTABLE, "$sort")]
        value = _one(direction, "$sort")
        if value not in ("1", "-1"):
            raise InvalidRequest("$sort direction must be 1 or -1")
        keys.append(SortKey(field, descending=value == "-1"))
    return tuple(keys)


def _id_operators(
    node: dict[str, Any], ids_in: frozenset[str] | None, ids_not_in: frozenset[str]
) -> tuple[frozenset[str] | None, frozenset[str]]:
    for operator, values in node.items():
        if operator == "$in":
            ids_in = frozenset(_ids(values, operator))
        elif operator == "$nin":
            ids_not_in = frozenset(_ids(values, operator))
        else:
            raise InvalidRequest(f"Invalid query parameter {operator}")
    return ids_in, ids_not_in


def _ids(node: Any, operator: str) -> list[str]:
    values = _many(node, f"id[{operator}]")
    if len(values) > MAX_PAGE_SIZE or any(len(v) > 64 for v in values):
        raise InvalidRequest(f"Too many or too long ids in {operator}")
    return values
