"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.schema import metadata


# SQLAlchemy cannot reflect SQLite's expression index (the one on the organisation code inside
# unlinked records' USCCs) and says so; the index itself is checked below by name.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_upgrade_reaches_head_and_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.upgrade(engine) == migrate.head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": migrate.include_object}
            )
            diff = compare_metadata(context, metadata)
        # An expression index cannot be compared by autogenerate: it appears as a difference.
        expression_indexes = ("ix_records_waiting", "ix_records_authority")
        diff = [d for d in diff if not any(n in repr(d) for n in expression_indexes)]
        assert diff == [], f"models and migrations differ: {diff}"
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")
            else:
                names = conn.exec_driver_sql("SELECT indexname FROM pg_indexes")
            assert {"ix_records_waiting", "ix_records_authority"} <= {n for (n,) in names}
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            before = sorted(sa.inspect(conn).get_table_names())
        assert migrate.upgrade(engine) == migrate.head_revision()
        with engine.connect() as conn:
            assert sorted(sa.inspect(conn).get_table_names()) == before
        assert {"records", "subjects", "submissions", "rejects", "record_links"} <= set(before)
    finally:
        engine.dispose()
