"""Ingesting one department file: the service function behind ``gongxin ingest`` and
``POST /api/v1/submissions``.

A submission is atomic and idempotent: it runs in one transaction (a crash leaves nothing of it
and a rerun does the whole job), and the same file from the same department for the same
dataset is recognised by its SHA-256 and reported as already processed.
"""

from __future__ import annotations

import hashlib
import queue
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import submissions
from gongxin.errors import Forbidden, GongxinError
from gongxin.exchange import departments
from gongxin.intake.mapping import resolve
from gongxin.intake.readers import open_table
from gongxin.intake.readers.table import Row
from gongxin.intake.store import Counts, RecordWriter
from gongxin.intake.validate import Checked, RowValidator
from gongxin.logs import get_logger

log = get_logger(__name__)
Progress = Callable[[int], None]


class LostRows(GongxinError):
    status = 500
    code = "lost_rows"


@dataclass
class Summary:
    submission_id: str
    dataset: str
    provider: str
    file_name: str
    file_sha256: str
    format: str
    encoding: str | None
    layout: str
    rows: int
    accepted: int
    updated: int
    duplicates: int
    rejected: int
    unlinked: int
    warnings: int
    relinked: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    already_processed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _previous(conn: sa.Connection, dataset: str, dept_id: int, sha: str) -> sa.Row[Any] | None:
    return conn.execute(
        sa.select(submissions).where(
            submissions.c.dataset == dataset,
            submissions.c.department_id == dept_id,
            submissions.c.file_sha256 == sha,
            submissions.c.status == "complete",
        )
    ).first()


def _summary_of(row: sa.Row[Any], provider: str, already: bool) -> Summary:
    m = row._mapping
    return Summary(
        submission_id=m["id"],
        dataset=m["dataset"],
        provider=provider,
        file_name=m["file_name"],
        file_sha256=m["file_sha256"],
        format=m["format"],
        encoding=m["encoding"],
        layout=m["layout"],
        rows=m["rows"],
        accepted=m["accepted"],
        updated=m["updated"],
        duplicates=m["duplicates"],
        rejected=m["rejected"],
        unlinked=m["unlinked"],
        warnings=m["warnings"],
        unknown_columns=list(m["unknown_columns"]),
        notes=list(m["notes"]),
        already_processed=already,
    )


def new_submission_id(moment: datetime) -> str:
    return f"{moment:%Y%m%d}-{secrets.token_hex(4)}"


def ingest(
    engine: sa.Engine,
    catalog: Catalog,
    path: Path,
    *,
    dataset: str,
    provider: str,
    as_of: datetime,
    file_name: str | None = None,
    declared_encoding: str | None = None,
    batch_rows: int = 5000,
    progress: Progress | None = None,
) -> Summary:
    """Validate, store and link every row of ``path`` as a submission of ``dataset``."""
    spec = catalog.get(dataset)
    name = file_name or path.name
    sha, size = file_digest(path)
    with engine.begin() as conn:
        dept = departments.get(conn, provider)
        if dept.kind not in ("provider", "centre"):
            raise Forbidden(
                f"部门“{provider}”不是数据提供部门，不能提交数据",
                f"department {provider!r} is not a data provider and cannot submit data",
            )
        previous = _previous(conn, dataset, dept.id, sha)
        if previous is not None:
            log.info("submission.repeat", submission=previous.id, file=name)
            return _summary_of(previous, provider, already=True)
        with open_table(path, filename=name, declared_encoding=declared_encoding) as table:
            hmap = resolve(catalog, spec, table.headers)
            notes = list(table.notes)
            if hmap.repeated:
                notes.append(
                    f"重复的列已忽略：{'、'.join(hmap.repeated)}（repeated columns ignored）"
                )
            if hmap.layout != "current":
                notes.append(
                    f"按旧版格式 {hmap.layout} 读取（read as legacy layout {hmap.layout}）"
                )
            submission_id = new_submission_id(as_of)
            conn.execute(
                submissions.insert().values(
                    id=submission_id,
                    dataset=dataset,
                    department_id=dept.id,
                    file_name=name,
                    file_sha256=sha,
                    file_size=size,
                    format=table.format,
                    encoding=table.encoding,
                    layout=hmap.layout,
                    status="processing",
                    rows=0,
                    accepted=0,
                    updated=0,
                    duplicates=0,
                    rejected=0,
                    unlinked=0,
                    warnings=0,
                    unknown_columns=hmap.unknown,
                    notes=notes,
                    received_at=as_of,
                )
            )
            writer = RecordWriter(conn, spec, submission_id, as_of, table.headers)
            validator = RowValidator(hmap, as_of)
            rows = _run(table.rows, validator, writer, batch_rows, progress)
        counts = writer.counts
        _reconcile(rows, counts)
        conn.execute(
            submissions.update()
            .where(submissions.c.id == submission_id)
            .values(
                status="complete",
                rows=rows,
                accepted=counts.accepted,
                updated=counts.updated,
                duplicates=counts.duplicates,
                rejected=counts.rejected,
                unlinked=counts.unlinked,
                warnings=counts.warnings,
                finished_at=as_of,
            )
        )
    summary = Summary(
        submission_id=submission_id,
        dataset=dataset,
        provider=provider,
        file_name=name,
        file_sha256=sha,
        format=table.format,
        encoding=table.encoding,
        layout=hmap.layout,
        rows=rows,
        accepted=counts.accepted,
        updated=counts.updated,
        duplicates=counts.duplicates,
        rejected=counts.rejected,
        unlinked=counts.unlinked,
        warnings=counts.warnings,
        relinked=counts.relinked,
        unknown_columns=hmap.unknown,
        notes=notes,
    )
    log.info(
        "submission.done",
        **{k: v for k, v in summary.to_dict().items() if isinstance(v, int | str)},
    )
    return summary


def _run(
    source: Any,
    validator: RowValidator,
    writer: RecordWriter,
    batch_rows: int,
    progress: Progress | None,
) -> int:
    """Validate rows here while a second thread writes the previous batches.

    The database driver releases the GIL while SQLite or PostgreSQL does its work, so writing
    overlaps validation. The queue is short, so memory stays flat; an error in the writer stops
    the reading and is raised here, inside the submission's transaction.
    """
    batches: queue.Queue[tuple[list[Checked], list[tuple[Row, Checked]]] | None] = queue.Queue(2)
    failure: list[BaseException] = []

    def write_batches() -> None:
        while (batch := batches.get()) is not None:
            if failure:
                continue  # drain, so the reader never blocks on a full queue
            try:
                writer.write(batch[0])
                writer.reject(batch[1])
            except BaseException as exc:  # handed to the reading thread, raised there
                failure.append(exc)

    thread = threading.Thread(target=write_batches, name="gongxin-intake-writer", daemon=True)
    thread.start()
    rows = 0
    good: list[Checked] = []
    bad: list[tuple[Row, Checked]] = []
    check = validator.check
    try:
        for row in source:
            checked = check(row)
            rows += 1
            if checked.data is None:
                bad.append((row, checked))
            else:
                good.append(checked)
            if rows % batch_rows == 0:
                if failure:
                    break
                batches.put((good, bad))
                good, bad = [], []
                if progress is not None:
                    progress(rows)
        batches.put((good, bad))
    finally:
        batches.put(None)
        thread.join()
    if failure:
        raise failure[0]
    if progress is not None:
        progress(rows)
    return rows


def _reconcile(rows: int, counts: Counts) -> None:
    total = counts.accepted + counts.updated + counts.duplicates + counts.rejected
    if total != rows:
        raise LostRows(
            f"行数不平衡：读入 {rows} 行，处理 {total} 行；本次提交已整体撤销",
            f"rows do not reconcile: read {rows}, accounted for {total}; submission rolled back",
        )
