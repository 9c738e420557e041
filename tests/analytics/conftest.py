"""A demo store per database kind, its snapshot; the same, shared by a module's read-only tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.analytics import snapshot
from gongxin.catalog.registry import load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.demo import generate, load
from tests.demo.helpers import AS_OF, AS_OF_DATE


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """A store holding a small demo (every dataset, linked and unlinked records)."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=120, seed=5, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def taken(store: sa.Engine, tmp_path: Path) -> snapshot.Snapshot:
    return snapshot.take(store, tmp_path / "snapshot", batch=97, now=AS_OF)


@pytest.fixture(scope="module")
def module_taken(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[snapshot.Snapshot]:
    """The snapshot of the same small demo, taken once per module and database kind, for tests
    that only read it (the engine contracts run every job over one snapshot)."""
    folder = tmp_path_factory.mktemp("module-snapshot")
    engine = make_engine(module_db_url)
    try:
        migrate.upgrade(engine)
        catalog = load_catalog()
        files = generate(folder / "demo", subjects=120, seed=5, as_of=AS_OF_DATE, catalog=catalog)
        load(engine, catalog, files, as_of=AS_OF)
        yield snapshot.take(engine, folder / "snapshot", batch=97, now=AS_OF)
    finally:
        engine.dispose()
