"""The check log: who checked whom, why, in which scene, and what each subject got.

``checks`` holds one row per call; ``check_results`` one row per subject in the caller's order.
A subject with no entry keeps only its query and how it matched (hits and measures NULL): the
log still answers "who was checked, and what did each get" without storing empty lists a
hundred thousand times. Measures are stored with their ids, which feedback refers to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

import orjson
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db import dialect
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.errors import NotFound
from gongxin.sanctions.match import Item

RESULT_COLUMNS = (
    "check_id", "position", "query", "subject_id", "subject_code", "subject_name", "match",
    "confidence", "hits", "measures", "error",
)  # fmt: skip


_INSERT_CHECK = checks.insert()


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


@dataclass(frozen=True)
class Entry:
    """One evaluated check to log: its results and who asked, why, when."""

    check_id: str
    items: Sequence[Item]
    results: Sequence[dict[str, Any]]
    scene: str
    as_of: date
    now: datetime
    actor: str
    department_id: int | None
    requester: str
    purpose: str


def write(
    conn: sa.Connection,
    check_id: str,
    items: Sequence[Item],
    results: Sequence[dict[str, Any]],
    *,
    scene: str,
    as_of: date,
    now: datetime,
    actor: str,
    department_id: int | None,
    requester: str,
    purpose: str,
) -> None:
    """Log a check and its results, and audit it, in the caller's transaction."""
    write_many(
        conn,
        [Entry(check_id, items, results, scene, as_of, now, actor, department_id, requester,
               purpose)],
    )  # fmt: skip


def write_many(conn: sa.Connection, entries: Sequence[Entry]) -> None:
    """Log several checks (one statement per table for all of them) and audit each, in order
    (one append for all of them), in the caller's transaction."""
    if not entries:
        return
    counts = [
        (sum(1 for it in e.items if it.hits), sum(1 for it in e.items if it.error is not None))
        for e in entries
    ]
    conn.execute(
        _INSERT_CHECK,
        [
            {"id": e.check_id, "department_id": e.department_id, "actor": e.actor,
             "requester": e.requester[:200], "purpose": e.purpose, "scene": e.scene,
             "as_of": e.as_of, "created_at": e.now, "subjects": len(e.items), "hits": hits,
             "errors": errors}
            for e, (hits, errors) in zip(entries, counts, strict=True)
        ],
    )  # fmt: skip
    rows = (
        (
            e.check_id, it.position, it.query[:500], it.subject_id, it.subject_code,
            (it.subject_name or "")[:500] or None, it.match, it.confidence,
            _json(r.get("hits")) if it.hits else None,
            _json(r.get("measures", []) + r.get("rewards", [])) if it.hits else None,
            _json(it.error),
        )
        for e in entries
        for it, r in zip(e.items, e.results, strict=True)
    )  # fmt: skip
    dialect.bulk_insert(conn, check_results, RESULT_COLUMNS, rows)
    audit.record_many(
        conn,
        [
            audit.Append(
                e.actor, "sanctions.check", f"check:{e.check_id}", e.now, e.department_id,
                e.purpose,
                {"scene": e.scene, "as_of": e.as_of.isoformat(), "subjects": len(e.items),
                 "hits": hits, "errors": errors, "requester": e.requester[:200]},
            )
            for e, (hits, errors) in zip(entries, counts, strict=True)
        ],
    )  # fmt: skip


@dataclass(frozen=True)
class CheckSummary:
    id: str
    department_id: int | None
    actor: str
    requester: str
    purpose: str
    scene: str
    as_of: date
    created_at: datetime
    subjects: int
    hits: int
    errors: int


def _summary(row: sa.RowMapping) -> CheckSummary:
    return CheckSummary(**{k: row[k] for k in CheckSummary.__dataclass_fields__})


def not_found(check_id: str) -> NoReturn:
    raise NotFound(f"未找到核查记录 {check_id[:40]}", f"no check {check_id[:40]!r}")


def get_check(conn: sa.Connection, check_id: str, *, limit: int | None = None) -> dict[str, Any]:
    """A logged check with its results in order: ``{"check": CheckSummary, "results": [...]}``;
    each result has position, query, subject_id, subject_code, subject_name, match, confidence,
    hits, measures (with ids; NULL → []), error. ``limit``: only the first results."""
    row = conn.execute(sa.select(checks).where(checks.c.id == check_id)).mappings().first()
    if row is None:
        not_found(check_id)
    query = (
        sa.select(check_results)
        .where(check_results.c.check_id == check_id)
        .order_by(check_results.c.position)
        .limit(limit)
    )
    results = []
    for r in conn.execute(query).mappings():
        d = dict(r)
        d["hits"] = d["hits"] or []
        d["measures"] = d["measures"] or []
        results.append(d)
    return {"check": _summary(row), "results": results}


def list_checks(
    conn: sa.Connection,
    *,
    department_id: int | None = None,
    scene: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CheckSummary]:
    """Logged checks, newest first, optionally of one department or scene or period."""
    query = sa.select(checks).order_by(checks.c.created_at.desc(), checks.c.id)
    if department_id is not None:
        query = query.where(checks.c.department_id == department_id)
    if scene is not None:
        query = query.where(checks.c.scene == scene)
    if since is not None:
        query = query.where(checks.c.created_at >= since)
    if until is not None:
        query = query.where(checks.c.created_at < until)
    rows = conn.execute(query.limit(limit).offset(offset)).mappings()
    return [_summary(r) for r in rows]
