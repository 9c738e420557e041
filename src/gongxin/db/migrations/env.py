"""Alembic environment: migrations run on the connection handed over by gongxin.db.migrate."""

from __future__ import annotations

from alembic import context

from gongxin.db.migrate import include_object
from gongxin.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
