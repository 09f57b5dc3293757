"""SQL adapters for the core's ports, in plain SQLAlchemy Core (no ORM on the hot path)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from authgate.core.clock import utcnow
from authgate.core.errors import BackendUnavailable, EmailTaken, UsernameTaken
from authgate.core.identity import login_key
from authgate.core.models import ApiKey, EventKind, RefreshToken, RevocationEvent, Session, User
from authgate.core.queries import KEYED_FIELDS, UserPage, UserQuery
from authgate.storage.sql.tables import (
    api_key,
    auth_session,
    refresh_token,
    revocation_event,
    server_secret,
    user_account,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection


def upsert_insert(conn: AsyncConnection, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on both of our databases."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def storable(*values: object) -> bool:
    """Whether values can be compared in SQL at all.

    PostgreSQL text cannot hold NUL ("invalid byte sequence"), so no stored value has
    one (the core refuses control characters on every write): a lookup by a value with
    NUL finds nothing, on both databases, without asking.
    """
    return not any(isinstance(v, str) and "\x00" in v for v in values)


def _user(row: Row[Any]) -> User:
    return User(**row._mapping)


def _user_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in User.__dataclass_fields__}


def _uniqueness_error(error: IntegrityError) -> Exception:
    text = str(error.orig)
    if "email_key" in text:
        return EmailTaken()
    return UsernameTaken()


class SqlUserRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _write(self, statement: Any) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(statement)
        except IntegrityError as e:
            raise _uniqueness_error(e) from e

    async def add(self, user: User) -> None:
        await self._write(insert(user_account).values(**_user_values(user)))

    async def update(self, user: User) -> None:
        values = _user_values(user)
        del values["id"], values["created_at"]
        await self._write(update(user_account).where(user_account.c.id == user.id).values(**values))

    async def find(self, user_id: str) -> User | None:
        if not storable(user_id):
            return None
        row = (
            await self._conn.execute(select(user_account).where(user_account.c.id == user_id))
        ).first()
        return _user(row) if row else None

    async def find_by_login(self, key: str) -> User | None:
        if not storable(key):
            return None
        query = select(user_account).where(
            or_(user_account.c.username_key == key, user_account.c.email_key == key)
        )
        row = (await self._conn.execute(query)).first()
        return _user(row) if row else None

    async def list(self, *, offset: int = 0, limit: int = 100) -> Sequence[User]:
        query = (
            select(user_account)
            .order_by(user_account.c.created_at, user_account.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [_user(row) for row in await self._conn.execute(query)]

    async def count(self) -> int:
        return int(
            (await self._conn.execute(select(func.count()).select_from(user_account))).scalar_one()
        )

    async def search(self, query: UserQuery) -> UserPage:
        if not storable(*query.equals.values(), *(query.ids_in or ())):
            return UserPage(total=0, users=[])
        condition = and_(true(), *_user_conditions(query))
        total = (
            await self._conn.execute(
                select(func.count()).select_from(user_account).where(condition)
            )
        ).scalar_one()
        order: list[Any] = []
        for key in query.sort:
            column = user_account.c[key.field.value]
            # NULLs sort as the smallest value on both databases (PostgreSQL's default differs).
            order.append(
                column.desc().nulls_last() if key.descending else column.asc().nulls_first()
            )
        if not query.sort:
            order.append(user_account.c.created_at)
        order.append(user_account.c.id)
        statement = (
            select(user_account)
            .where(condition)
            .order_by(*order)
            .offset(query.offset)
            .limit(query.limit)
        )
        users = [_user(row) for row in await self._conn.execute(statement)]
        return UserPage(total=int(total), users=users)

    async def delete(self, user_id: str) -> None:
        await self._conn.execute(delete(user_account).where(user_account.c.id == user_id))


def _user_conditions(query: UserQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for field, value in query.equals.items():
        if field in KEYED_FIELDS and isinstance(value, str):
            conditions.append(user_account.c[KEYED_FIELDS[field]] == login_key(value))
        elif value is None:
            conditions.append(user_account.c[field.value].is_(None))
        else:
            conditions.append(user_account.c[field.value] == value)
    if query.ids_in is not None:
        conditions.append(user_account.c.id.in_(sorted(query.ids_in)))
    if query.ids_not_in:
        excluded = sorted(i for i in query.ids_not_in if storable(i))  # NUL ids exist nowhere
        conditions.append(user_account.c.id.not_in(excluded))
    return conditions


class SqlSessionRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, session: Session) -> None:
        values = {name: getattr(session, name) for name in Session.__dataclass_fields__}
        await self._conn.execute(insert(auth_session).values(**values))

    async def find(self, session_id: str) -> Session | None:
        if not storable(session_id):
            return None
        row = (
            await self._conn.execute(select(auth_session).where(auth_session.c.id == session_id))
        ).first()
        return Session(**row._mapping) if row else None

    async def list_live(self, user_id: str, now: datetime) -> Sequence[Session]:
        query = select(auth_session).where(
            auth_session.c.user_id == user_id,
            auth_session.c.revoked_at.is_(None),
            auth_session.c.expires_at > now,
        )
        return [Session(**row._mapping) for row in await self._conn.execute(query)]

    async def touch(self, session_id: str, now: datetime) -> None:
        await self._conn.execute(
            update(auth_session).where(auth_session.c.id == session_id).values(last_used_at=now)
        )

    async def revoke(self, session_id: str, now: datetime) -> bool:
        result = await self._conn.execute(
            update(auth_session)
            .where(auth_session.c.id == session_id, auth_session.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)

    async def revoke_all(
        self, user_id: str, now: datetime, *, except_id: str | None = None
    ) -> list[str]:
        condition = [auth_session.c.user_id == user_id, auth_session.c.revoked_at.is_(None)]
        if except_id is not None:
            condition.append(auth_session.c.id != except_id)
        result = await self._conn.execute(
            update(auth_session)
            .where(*condition)
            .values(revoked_at=now)
            .returning(auth_session.c.id)
        )
        return [row.id for row in result]


class SqlRefreshTokenRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, token: RefreshToken) -> None:
        values = {name: getattr(token, name) for name in RefreshToken.__dataclass_fields__}
        await self._conn.execute(insert(refresh_token).values(**values))

    async def find_by_hash(self, token_hash: str) -> RefreshToken | None:
        row = (
            await self._conn.execute(
                select(refresh_token).where(refresh_token.c.token_hash == token_hash)
            )
        ).first()
        return RefreshToken(**row._mapping) if row else None

    async def claim(self, token_hash: str, now: datetime) -> RefreshToken | None:
        # One conditional UPDATE is the compare-and-set: a concurrent claim of the same
        # row waits for ours to commit, re-reads rotated_at and matches nothing.
        result = await self._conn.execute(
            update(refresh_token)
            .where(
                refresh_token.c.token_hash == token_hash,
                refresh_token.c.rotated_at.is_(None),
                refresh_token.c.expires_at > now,
            )
            .values(rotated_at=now)
            .returning(*refresh_token.c)
        )
        row = result.first()
        return RefreshToken(**row._mapping) if row else None


class SqlApiKeyRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, key: ApiKey) -> None:
        values = {name: getattr(key, name) for name in ApiKey.__dataclass_fields__}
        await self._conn.execute(insert(api_key).values(**values))

    async def _one(self, condition: Any) -> ApiKey | None:
        row = (await self._conn.execute(select(api_key).where(condition))).first()
        return ApiKey(**row._mapping) if row else None

    async def find(self, key_id: str) -> ApiKey | None:
        if not storable(key_id):
            return None
        return await self._one(api_key.c.id == key_id)

    async def find_by_hash(self, secret_hash: str) -> ApiKey | None:
        return await self._one(api_key.c.secret_hash == secret_hash)

    async def list_for_user(self, user_id: str) -> Sequence[ApiKey]:
        rows = await self._conn.execute(select(api_key).where(api_key.c.user_id == user_id))
        return [ApiKey(**row._mapping) for row in rows]

    async def delete(self, key_id: str) -> bool:
        result = await self._conn.execute(delete(api_key).where(api_key.c.id == key_id))
        return bool(result.rowcount)

    async def mark_used(self, key_id: str, now: datetime, *, min_interval: int) -> None:
        await self._conn.execute(
            update(api_key)
            .where(
                api_key.c.id == key_id,
                or_(
                    api_key.c.last_used_at.is_(None),
                    api_key.c.last_used_at < now - timedelta(seconds=min_interval),
                ),
            )
            .values(last_used_at=now)
        )


class SqlEventRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, kind: EventKind, subject_id: str, now: datetime) -> None:
        await self._conn.execute(
            insert(revocation_event).values(kind=kind.value, subject_id=subject_id, created_at=now)
        )

    async def since(self, after: datetime) -> Sequence[RevocationEvent]:
        rows = await self._conn.execute(
            select(revocation_event)
            .where(revocation_event.c.created_at >= after)
            .order_by(revocation_event.c.id)
        )
        return [
            RevocationEvent(
                id=row.id,
                kind=EventKind(row.kind),
                subject_id=row.subject_id,
                created_at=row.created_at,
            )
            for row in rows
        ]

    async def prune(self, before: datetime) -> int:
        result = await self._conn.execute(
            delete(revocation_event).where(revocation_event.c.created_at < before)
        )
        return int(result.rowcount)


class SqlSecretRepo:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def find(self, name: str) -> str | None:
        value = (
            await self._conn.execute(
                select(server_secret.c.value).where(server_secret.c.name == name)
            )
        ).scalar_one_or_none()
        return str(value) if value is not None else None

    async def add_if_absent(self, name: str, value: str) -> str:
        statement = upsert_insert(self._conn, server_secret).values(
            name=name, value=value, created_at=utcnow()
        )
        await self._conn.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
        stored = await self.find(name)
        if stored is None:
            raise BackendUnavailable(f"secret {name!r} vanished while being stored")
        return stored
