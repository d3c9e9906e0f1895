"""Alembic environment: migrations run against the URL set by server.core.database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

# The domains' tables register themselves on the metadata when imported; server.models
# cannot import them (each domain's models import server.models: that would be a cycle).
import server.channels.models
import server.drills.models
import server.models
import server.operations.models
import server.requests.models
import server.roster.models
import server.shelters.models  # noqa: F401
from server.core.extensions import db

config = context.config
target_metadata = db.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # SQLite changes a table by copying it and dropping the old one; with foreign keys
            # enforced, dropping a table other rows point at fails. Off for the migration only
            # (the pragma is a no-op inside a transaction, so it goes before the first one).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
