"""Ingesting one department file: the service function behind ``gongxin ingest`` and
``POST /api/v1/submissions``.

A submission is atomic and idempotent: it runs in one transaction (a crash leaves nothing of it
and a rerun does the whole job), and the same file from the same department for the same
dataset is recognised by its SHA-256 and reported as already processed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.models import submissions
from gongxin.errors import Busy, Forbidden, GongxinError, NotFound
from gongxin.identity import departments
from gongxin.identity.departments import Department
from gongxin.intake import ownership, staging
from gongxin.intake.ahead import ahead
from gongxin.intake.mapping import HeaderMap, resolve
from gongxin.intake.ownership import Filer
from gongxin.intake.readers import open_table
from gongxin.intake.readers.limits import DEFAULT, ReadLimits
from gongxin.intake.readers.table import Row
from gongxin.intake.staging import Batch
from gongxin.intake.store import Counts, RecordWriter, check_and_prepare
from gongxin.intake.validate import RowValidator
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
    backload: bool = False  # 存量补录: not judged for timeliness

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


def summary_of(row: sa.Row[Any], provider: str, already: bool) -> Summary:
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
        backload=bool(m["backload"]),
    )


def get_submission(
    conn: sa.Connection, submission_id: str, *, department: Department | None = None
) -> Summary:
    """A finished submission's summary. With ``department``, only that department's own
    submissions are found, unless it is the credit centre."""
    row = conn.execute(sa.select(submissions).where(submissions.c.id == submission_id)).first()
    allowed = row is not None and (
        department is None
        or department.kind == "centre"
        or row._mapping["department_id"] == department.id
    )
    if row is None or not allowed:
        raise NotFound(f"没有编号为 {submission_id} 的提交", f"no submission {submission_id}")
    provider = departments.by_id(conn, row._mapping["department_id"]).name
    return summary_of(row, provider, already=False)


def new_submission_id(moment: datetime) -> str:
    return f"{local_date(moment):%Y%m%d}-{secrets.token_hex(4)}"


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
    limits: ReadLimits = DEFAULT,
    backload: bool = False,
) -> Summary:
    """Validate, store and link every row of ``path`` as a submission of ``dataset``.

    ``backload`` marks a historical back-load (存量补录): its records count for nothing in the
    双公示 timeliness (they were decided long before they could reach the platform).

    ``limits`` bounds what the file may hold (:class:`~.readers.limits.ReadLimits`). On
    SQLite the rows are read and checked into a staging file before the one short write
    transaction, so the database's write lock is not held while the file is read."""
    spec = catalog.get(dataset)
    name = file_name or path.name
    sha, size = file_digest(path)
    try:
        return _ingest(
            engine, catalog, path, spec, provider, as_of, name, sha, size,
            declared_encoding, batch_rows, progress, limits, backload,
        )  # fmt: skip
    except sa.exc.IntegrityError:
        # The same file from the same department, submitted twice at the same moment: the
        # unique key on (dataset, department, SHA-256) let one through; this is the other.
        with engine.connect() as conn:
            previous = _previous(conn, dataset, departments.get(conn, provider).id, sha)
        if previous is None:
            raise
        return summary_of(previous, provider, already=True)
    except sa.exc.OperationalError as exc:
        if "database is locked" in str(exc.orig):
            raise Busy(
                "另一批数据正在入库，数据库暂时忙，请稍后重新提交（本次未导入任何数据）",
                "another submission is being stored and the database is busy; submit again "
                "later (nothing of this one was stored)",
            ) from exc
        raise


def _ingest(
    engine: sa.Engine,
    catalog: Catalog,
    path: Path,
    spec: DatasetSpec,
    provider: str,
    as_of: datetime,
    name: str,
    sha: str,
    size: int,
    declared_encoding: str | None,
    batch_rows: int,
    progress: Progress | None,
    limits: ReadLimits,
    backload: bool,
) -> Summary:
    with engine.connect() as conn:  # a read: nothing is locked while the file is read
        dept = departments.get(conn, provider)
        if dept.kind not in ("provider", "centre"):
            raise Forbidden(
                f"部门“{provider}”不是数据提供部门，不能提交数据",
                f"department {provider!r} is not a data provider and cannot submit data",
            )
        previous = _previous(conn, spec.code, dept.id, sha)
        owner = ownership.filer(conn, spec, dept)  # refuses a dataset it may not write
    if previous is not None:
        log.info("submission.repeat", submission=previous.id, file=name)
        return summary_of(previous, provider, already=True)
    opened = open_table(path, filename=name, declared_encoding=declared_encoding, limits=limits)
    with opened as table, _cyclic_gc_paused():
        hmap = resolve(catalog, spec, table.headers)
        file = _File(
            name, sha, size, table.format, table.encoding, table.headers, hmap, backload=backload
        )
        file.notes = _notes(table.notes, hmap)
        validator = RowValidator(hmap, as_of)
        batches = (
            check_and_prepare(validator, spec, batch, owner)
            for batch in _batches(table.rows, batch_rows, progress)
        )
        if engine.dialect.name != "sqlite":
            # PostgreSQL locks rows, not the database: read, check and write as one stream,
            # the next batches read and checked while the server writes this one
            return _store(engine, spec, provider, owner, as_of, file, ahead(batches))
        # SQLite has one write lock for the whole database: read and check every row first,
        # into a staging file, so that logins, checks and other writers wait only for the
        # short write that follows, never for the reading
        staged = staging.stage(batches)
    with staged, _cyclic_gc_paused():  # progress counts the rows again as they are written
        return _store(engine, spec, provider, owner, as_of, file, staged, progress)


@dataclass
class _File:
    """What the delivered file says about itself, recorded with its submission."""

    name: str
    sha: str
    size: int
    format: str
    encoding: str | None
    headers: list[str]
    hmap: HeaderMap
    notes: list[str] = field(default_factory=list)
    backload: bool = False


def _notes(table_notes: list[str], hmap: HeaderMap) -> list[str]:
    notes = list(table_notes)
    if hmap.repeated:
        notes.append(f"重复的列已忽略：{'、'.join(hmap.repeated)}（repeated columns ignored）")
    if hmap.layout != "current":
        notes.append(f"按旧版格式 {hmap.layout} 读取（read as legacy layout {hmap.layout}）")
    return notes


def _store(
    engine: sa.Engine,
    spec: DatasetSpec,
    provider: str,
    owner: Filer,
    as_of: datetime,
    file: _File,
    batches: Iterable[Batch],
    progress: Progress | None = None,
) -> Summary:
    """Write the checked rows as one submission, in one transaction."""
    dataset, dept_id = spec.code, owner.id
    with engine.begin() as conn:
        previous = _previous(conn, dataset, dept_id, file.sha)  # finished while this was read
        if previous is not None:
            return summary_of(previous, provider, already=True)
        submission_id = new_submission_id(as_of)
        conn.execute(
            submissions.insert().values(
                id=submission_id,
                dataset=dataset,
                department_id=dept_id,
                file_name=file.name,
                file_sha256=file.sha,
                file_size=file.size,
                format=file.format,
                encoding=file.encoding,
                layout=file.hmap.layout,
                status="processing",
                rows=0,
                accepted=0,
                updated=0,
                duplicates=0,
                rejected=0,
                unlinked=0,
                warnings=0,
                headers=file.headers,
                unknown_columns=file.hmap.unknown,
                notes=file.notes,
                received_at=as_of,
                backload=file.backload,
            )
        )
        writer = RecordWriter(conn, spec, submission_id, as_of, file.headers, owner)
        rows = 0
        for good, bad in batches:
            rows += len(good) + len(bad)
            writer.write_prepared(good)
            writer.reject(bad)
            if progress is not None:
                progress(rows)
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
                finished_at=sa.func.current_timestamp(),  # bookkeeping: the store's clock
            )
        )
    summary = Summary(
        submission_id=submission_id,
        dataset=dataset,
        provider=provider,
        file_name=file.name,
        file_sha256=file.sha,
        format=file.format,
        encoding=file.encoding,
        layout=file.hmap.layout,
        rows=rows,
        accepted=counts.accepted,
        updated=counts.updated,
        duplicates=counts.duplicates,
        rejected=counts.rejected,
        unlinked=counts.unlinked,
        warnings=counts.warnings,
        relinked=counts.relinked,
        unknown_columns=file.hmap.unknown,
        notes=file.notes,
        backload=file.backload,
    )
    log.info(
        "submission.done",
        **{k: v for k, v in summary.to_dict().items() if isinstance(v, int | str)},
    )
    return summary


def _batches(source: Iterable[Row], size: int, progress: Progress | None) -> Iterator[list[Row]]:
    batch: list[Row] = []
    rows = 0
    for row in source:
        batch.append(row)
        rows += 1
        if len(batch) >= size:
            yield batch
            batch = []
            if progress is not None:
                progress(rows)
    yield batch
    if progress is not None:
        progress(rows)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows stream through.

    Intake allocates millions of short-lived containers that reference counting frees at once;
    the cyclic collector would otherwise rescan every live batch again and again (it doubled the
    validation time in measurements). It is switched back on afterwards, whatever happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reconcile(rows: int, counts: Counts) -> None:
    total = counts.accepted + counts.updated + counts.duplicates + counts.rejected
    if total != rows:
        raise LostRows(
            f"行数不平衡：读入 {rows} 行，处理 {total} 行；本次提交已整体撤销",
            f"rows do not reconcile: read {rows}, accounted for {total}; submission rolled back",
        )
