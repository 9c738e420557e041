"""``gongxin analytics``: the jobs listed, one run into a CSV and a Parquet file, and the errors
a user makes named."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.db.models import records
from tests.intake.helpers import write_csv
from tests.support.cli import Cli


def _load_some(ready: Cli) -> None:
    path = write_csv(
        ready.folder / "reg.csv",
        ["统一社会信用代码", "企业名称", "成立日期"],
        [["91350100M000100Y43", "甲公司", "2020-01-02"], ["91110108MA01XXXX1X", "乙", "2021"]],
    )
    ready("ingest", str(path), "--dataset", "registration", "--provider", "市市场监督管理局")


def test_jobs_are_listed(cli: Cli) -> None:
    shown = cli.ok("analytics", "jobs").stdout
    assert "dataset_summary" in shown and "subject_activity" in shown


def test_a_run_writes_csv_and_parquet(ready: Cli) -> None:
    _load_some(ready)
    stored = ready.scalar(sa.select(sa.func.count()).select_from(records))
    as_csv, as_parquet = ready.folder / "out.csv", ready.folder / "out.parquet"
    ready.ok("analytics", "run", "dataset_summary", "--as-of", "2030-01-01", "--out", str(as_csv))
    ready.ok(
        "analytics", "run", "dataset_summary", "--as-of", "2030-01-01", "--out", str(as_parquet)
    )
    with as_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["records"]) for r in rows) == stored
    assert pq.read_table(as_parquet).to_pylist()[0]["dataset"] == rows[0]["dataset"]


def test_errors_are_named(ready: Cli) -> None:
    unknown = ready("analytics", "run", "no_such_job")
    assert unknown.exit_code == 2 and "dataset_summary" in unknown.stderr
    engine = ready("analytics", "run", "dataset_summary", "--engine", "oracle")
    assert engine.exit_code == 2 and "duckdb" in engine.stderr
    bad = ready("analytics", "run", "dataset_summary", "--out", str(ready.folder / "x.xlsx"))
    assert bad.exit_code == 2 and ".csv" in bad.stderr
