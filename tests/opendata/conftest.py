"""A running server with open and non-open data: uvicorn on 127.0.0.1 (a free port) in a
thread, over a store loaded with a small demo data set plus crafted penalties, its clock fixed.
Module-scoped: each test module starts one server on SQLite, then one on PostgreSQL
(``module_db_url``), and its tests run against each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.demo.generate import generate
from gongxin.demo.load import load
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import PENALTY, catalog, open_store, penalty_row
from tests.support.live import live_server

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
AS_OF = date(2026, 11, 22)
PERSON_ID = "11010519491231002X"  # a valid resident ID number (GB 11643 check)
PERSON_NAME = "欧阳娜娜"
VISIBLE = penalty_row(
    9001, CF_FRDB=PERSON_NAME, CF_JDRQ="2026-10-01", CF_WSH="京海市监罚〔2026〕9001号"
)
ANCIENT = penalty_row(9002, CF_JDRQ="2019-01-05", CF_WSH="京海市监罚〔2019〕9002号")
NATURAL = penalty_row(
    9003,
    CF_XDR_MC=PERSON_NAME,
    CF_XDR_LB="自然人",
    CF_XDR_SHXYM="",
    CF_XDR_ZJLX="身份证",
    CF_XDR_ZJHM=PERSON_ID,
    CF_JDRQ="2026-10-02",
    CF_WSH="京海市监罚〔2026〕9003号",
)


COLUMNS = [c for c in PENALTY if c not in ("CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_ZT")]


@dataclass(frozen=True)
class Server:
    url: str
    db_url: str
    engine: sa.Engine
    settings: Settings


def _load(db_url: str, folder: Path) -> None:
    for store in open_store(db_url, folder):
        files = generate(folder / "demo", subjects=120, seed=5, as_of=AS_OF)
        load(store.engine, catalog(), files, as_of=NOW)
        path = store.penalties("crafted.csv", [VISIBLE, ANCIENT, NATURAL], columns=COLUMNS)
        summary = store.ingest(path, as_of=NOW)
        assert summary.accepted == 3, summary


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, module_db_url: str) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("opendata")
    db_url = module_db_url
    _load(db_url, folder)
    settings = Settings(
        database_url=db_url, var_dir=folder / "var", opendata_anonymous_rate_per_minute=10_000
    )
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    engine = sa.create_engine(db_url)
    try:
        with live_server(app) as url:
            yield Server(url, db_url, engine, settings)
    finally:
        engine.dispose()
