"""The schema. Tables are singular snake_case; every timestamp is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """SQLite returns naive datetimes; we store UTC and hand back aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _id(name: str = "id") -> Column[str]:
    return Column(name, String(64), primary_key=True)


user_account = Table(
    "user_account",
    metadata,
    _id(),
    Column("username", String(150), nullable=False),
    Column("username_key", String(600), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("email_key", String(1000), nullable=False, unique=True),
    Column("name", String(255)),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("avatar", String(2048)),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("password_changed_at", UtcDateTime),
    Column("password_expires_at", UtcDateTime),
)

auth_session = Table(
    "auth_session",
    metadata,
    _id(),
    Column(
        "user_id",
        String(64),
        ForeignKey("user_account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("client_ip", String(64)),
    Column("user_agent", String(512)),
    Column("revoked_at", UtcDateTime),
)

refresh_token = Table(
    "refresh_token",
    metadata,
    _id(),
    Column(
        "session_id",
        String(64),
        ForeignKey("auth_session.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("rotated_at", UtcDateTime),
)

api_key = Table(
    "api_key",
    metadata,
    _id(),
    Column(
        "user_id",
        String(64),
        ForeignKey("user_account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", String(100), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("last4", String(4), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
)

revocation_event = Table(
    "revocation_event",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kind", String(16), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)

server_secret = Table(
    "server_secret",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

throttle_counter = Table(
    "throttle_counter",
    metadata,
    Column("key", String(700), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("strikes", Integer, nullable=False),
    Column("blocked_until", Float, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_throttle_counter_expires_at", "expires_at"),
)

signing_key = Table(
    "signing_key",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    # What the key was added after: racing first starts or rotations pick the same slot.
    Column("slot", String(120), nullable=False, unique=True),
    Column("public_jwk", Text, nullable=False),
    Column("private_key", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("activates_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("event", String(40), nullable=False),
    Column("outcome", String(16), nullable=False),
    # No foreign keys: the trail of a user or session outlives it.
    Column("user_id", String(64)),
    Column("session_id", String(64)),
    Column("client_ip", String(64)),
    Column("user_agent", String(256)),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_event_occurred_at", "occurred_at"),
    Index("ix_audit_event_user_id_occurred_at", "user_id", "occurred_at"),
    Index("ix_audit_event_event_occurred_at", "event", "occurred_at"),
)
