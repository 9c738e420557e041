"""Loading the demo through intake, on SQLite and PostgreSQL, and the ``gongxin demo`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

import gongxin.cli
from gongxin.catalog.registry import load_catalog
from gongxin.cli import common
from gongxin.db.engine import make_engine
from gongxin.db.evaluation_tables import evaluation_runs
from gongxin.db.models import records, subjects, submissions
from gongxin.demo import generate, load
from gongxin.demo.agencies import DEPARTMENTS
from gongxin.identity import departments
from gongxin.settings import get_settings
from tests.demo.helpers import AS_OF, AS_OF_DATE


def _count(conn: sa.Connection, query: sa.Select[Any]) -> int:
    return int(conn.execute(query).scalar_one())


def test_demo_loads_and_reconciles(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=200, seed=3, as_of=AS_OF_DATE, catalog=catalog)
    summaries = load(engine, catalog, files, as_of=AS_OF)
    assert summaries[0].dataset == "registration"
    assert len(summaries) == len(files)
    declared = {f.path.name: f for f in files}
    for s in summaries:
        f = declared[s.file_name]
        assert (s.dataset, s.provider, s.rows) == (f.dataset, f.provider, f.rows)
        assert s.accepted + s.updated + s.duplicates + s.rejected == s.rows
        assert s.rejected >= f.defects, s.file_name  # no defect slips through
        assert s.updated == s.duplicates == 0, s.file_name  # no two rows share a key
    registration = summaries[0]
    with engine.connect() as conn:
        assert _count(conn, sa.select(sa.func.count()).select_from(subjects)) == (
            registration.accepted
        )
        names = {d.name for d in departments.all_departments(conn)}
        assert {d.name for d in DEPARTMENTS} <= names
        unlinked = sa.select(sa.func.count()).select_from(records)
        unlinked = unlinked.where(records.c.subject_id.is_(None), records.c.link_kind != "person")
        assert _count(conn, unlinked) >= 1
        linked = sa.select(sa.func.count()).select_from(records)
        linked = linked.where(records.c.subject_id.is_not(None), records.c.dataset == "penalty")
        assert _count(conn, linked) > 0
    assert sum(s.unlinked for s in summaries) >= 1

    again = load(engine, catalog, files, as_of=AS_OF)  # idempotent: nothing changes
    assert all(s.already_processed for s in again)
    with engine.connect() as conn:
        total = _count(conn, sa.select(sa.func.count()).select_from(submissions))
    assert total == len(files)


@pytest.fixture
def app() -> typer.Typer:
    """The real ``gongxin`` app, its commands registered (once per process)."""
    gongxin.cli._register()
    return gongxin.cli.app


def test_cli_demo(
    app: typer.Typer, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGXIN_DATABASE_URL", db_url)
    monkeypatch.setenv("GONGXIN_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--subjects", "100", "--seed", "3"])
    finally:
        common.dispose_engines()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    out = result.output
    for word in ("registration", "penalty", "dishonest_debtor", "市市场监督管理局", "accepted",
                 "unlinked", "合计", "信用评价 (evaluation) shandong_1000"):  # fmt: skip
        assert word in out
    folder = tmp_path / "var" / "demo"
    assert len(list(folder.iterdir())) >= len(load_catalog().codes())
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert _count(conn, sa.select(sa.func.count()).select_from(subjects)) > 80
            assert _count(conn, sa.select(sa.func.count()).select_from(submissions)) >= 13
            # the demo ran the default evaluation models: complete runs, grades shown
            done = conn.execute(
                sa.select(evaluation_runs.c.model).where(evaluation_runs.c.status == "complete")
            ).scalars()
            assert sorted(done) == ["samr_risk", "shandong_1000"]
    finally:
        engine.dispose()
