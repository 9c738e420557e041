"""Running a job end to end: a fresh snapshot of the store, the engine, the answer, a file.

The CLI (``gongxin analytics run``) and, later, the scheduled worker call ``execute``; jobs
that keep their results in the store (evaluation, warnings) write them from the answer.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.analytics import engines, jobs, snapshot
from gongxin.errors import InvalidInput

FORMATS = (".csv", ".parquet")


@dataclass(frozen=True)
class Answer:
    job: jobs.Job
    engine: str
    as_of: date
    table: pa.Table
    snapshot_rows: dict[str, int]


def execute(
    store: sa.Engine,
    name: str,
    *,
    as_of: date,
    now: datetime,
    engine: str = "duckdb",
    master: str = "local[*]",
    work_dir: Path | None = None,
) -> Answer:
    """Run job ``name`` on ``engine`` over a snapshot of ``store`` taken now."""
    job = jobs.get(name)
    runner = engines.make(engine, master=master)
    folder = Path(tempfile.mkdtemp(prefix="gongxin-snapshot-", dir=work_dir))
    try:
        taken = snapshot.take(store, folder, tables=job.inputs, now=now)
        table = jobs.run(job, taken, runner, as_of)
        return Answer(job, engine, as_of, table, dict(taken.rows))
    finally:
        runner.close()
        shutil.rmtree(folder, ignore_errors=True)


def write(table: pa.Table, path: Path) -> None:
    """The answer as CSV (UTF-8 with BOM, for Excel) or Parquet, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"输出文件须为 {' 或 '.join(FORMATS)}：{path.name}",
            f"the output file must end in {' or '.join(FORMATS)}: {path.name}",
        )
    if suffix == ".parquet":
        pq.write_table(table, path, compression="zstd")
        return
    with path.open("wb") as out:
        out.write("\ufeff".encode())
        pacsv.write_csv(table, out)
