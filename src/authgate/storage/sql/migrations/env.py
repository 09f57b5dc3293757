"""Alembic environment. authgate runs it with a connection it already holds (see migrate.py)."""

from __future__ import annotations

from alembic import context

from authgate.storage.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `authgate migrate`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
