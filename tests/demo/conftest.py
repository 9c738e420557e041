"""The demo tests' store: a migrated database, SQLite then PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.engine import make_engine


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
