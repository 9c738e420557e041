"""Create or upgrade the schema with Alembic (``gongxin init``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


# Objects the migrations manage that the table models do not describe: the SQLite FTS5 index
# of subject names (and the shadow tables FTS5 keeps) and the PostgreSQL trigram index.
UNMODELLED = ("subjects_fts", "ix_subjects_name_trgm")


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    """Alembic's filter for autogenerate: leave the unmodelled search indexes alone."""
    return not (name or "").startswith(UNMODELLED)


def _config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` and the working-day calendar up to date with the installed
    holiday data; returns the revision now in place."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
        if sa.inspect(conn).has_table("calendar_days"):
            from gongxin.db import calendar  # the working-day index, kept with the holiday data

            calendar.sync(conn)
    return current_revision(engine)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def revision(engine: sa.Engine, message: str) -> None:
    """Autogenerate a new migration from the models (a developer tool)."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
