"""The ``cli`` and ``ready`` fixtures: run ``gongxin`` commands on a fresh store — a test that
takes them runs twice, on SQLite and on PostgreSQL (``db_url``).

``cli("ingest", ...)`` returns click's Result; ``cli.ok(...)`` also asserts exit code 0.
``ready`` is ``cli`` after ``gongxin init`` and one provider department (``PROVIDER``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog
from click.testing import Result
from rich.console import Console
from typer.testing import CliRunner

from gongxin import cli as gongxin_cli
from gongxin.cli import common
from gongxin.db.engine import make_engine
from gongxin.settings import get_settings
from tests.intake.helpers import PROVIDER, TEST_AUTHORITIES


@dataclass
class Cli:
    runner: CliRunner
    folder: Path
    url: str

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(gongxin_cli.app, list(args))

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    def scalar(self, query: sa.Select[tuple[object]]) -> object:
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(query).scalar_one()
        finally:
            engine.dispose()


@pytest.fixture
def cli(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    url = db_url
    monkeypatch.setenv("GONGXIN_DATABASE_URL", url)
    monkeypatch.setenv("GONGXIN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COLUMNS", "250")  # rich tables unabridged
    # the commands' consoles were made at import, with whatever width the process had then (80
    # in a pytest-xdist worker, whose output is a pipe): make them anew with the width above
    monkeypatch.setattr(common, "out", Console())
    monkeypatch.setattr(common, "err", Console(stderr=True))
    get_settings.cache_clear()
    gongxin_cli._register()
    try:
        yield Cli(CliRunner(), tmp_path, url)
    finally:
        common.dispose_engines()
        get_settings.cache_clear()
        structlog.reset_defaults()  # the commands bound logging to the runner's closed stream


@pytest.fixture
def ready(cli: Cli) -> Cli:
    assert "revision" in cli.ok("init").stdout
    added = cli.ok("dept", "add", PROVIDER, "--kind", "provider")
    assert PROVIDER in added.stdout
    cli.ok("dept", "authority", "add", PROVIDER, *TEST_AUTHORITIES)
    cli.ok("exchange", "provider", "set", "registration", PROVIDER)
    return cli
