"""``gongxin visibility recompute``: stored decisions brought in line with the rules in force.

The decision columns of a record (records/decisions.py) are written with every version. When the
rules change — a regime file of the deployment's ``GONGXIN_REGIMES_DIR``, a spec's visibility
block or scope in ``GONGXIN_CATALOG_DIR`` — every stored record is judged again by the gate and
the rows whose decision differs are rewritten. The rules are read and checked whole first: a
malformed file is refused before anything is written. Records are walked by id, one transaction
per batch; an interrupted run is resumed with ``after`` (the last id it reported), and a second
run finds nothing left to change. Counts before and after, and the changes by kind, are reported;
``dry_run`` reports them without writing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records
from gongxin.records import feed_marks, regimes
from gongxin.records.decisions import COLUMNS, decision_columns

BATCH = 2000
AUDIT_ACTION = "visibility.recompute"
# what a count before/after says, by name
TALLIES = {
    "public": ("向社会公开", "public"),
    "shared": ("政务共享", "shared with departments"),
    "in_force": ("有效", "in force (has a window)"),
    "withdrawn": ("已撤回", "withdrawn"),
    "natural_person": ("自然人", "natural persons"),
}
KINDS = {
    "now_public": ("转为公开", "became public"),
    "now_hidden": ("不再公开", "no longer public"),
    "window": ("公示期变化", "window changed"),
    "now_shared": ("转为共享", "became shared"),
    "now_unshared": ("不再共享", "no longer shared"),
    "status": ("状态变化", "status changed"),
    "in_force": ("有效性变化", "in force changed"),
    "natural_person": ("自然人标记变化", "natural-person flag changed"),
    "public_data": ("公开内容变化", "public (masked) view changed"),
}


@dataclass
class Report:
    looked: int = 0
    changed: int = 0
    unknown: int = 0  # records of datasets the catalog does not know: left as they are
    last_id: int = 0  # the last id judged (and, unless a dry run, committed)
    dry_run: bool = False
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "looked": self.looked,
            "changed": self.changed,
            "unknown": self.unknown,
            "last_id": self.last_id,
            "dry_run": self.dry_run,
            "before": {k: self.before[k] for k in TALLIES},
            "after": {k: self.after[k] for k in TALLIES},
            "kinds": dict(self.kinds),
        }


def _tally(counts: Counter[str], values: dict[str, Any]) -> None:
    counts["public"] += bool(values["is_public"])
    counts["shared"] += bool(values["is_shared"])
    counts["in_force"] += bool(values["in_force"])
    counts["withdrawn"] += values["status"] == "withdrawn"
    counts["natural_person"] += bool(values["natural_person"])


def _kinds(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    if old["is_public"] != new["is_public"]:
        out.append("now_public" if new["is_public"] else "now_hidden")
    if (old["pub_from"], old["pub_until"]) != (new["pub_from"], new["pub_until"]):
        out.append("window")
    if old["is_shared"] != new["is_shared"]:
        out.append("now_shared" if new["is_shared"] else "now_unshared")
    for name in ("status", "in_force", "natural_person", "public_data"):
        if name in old and old[name] != new[name]:
            out.append(name)
    return out


# told of one changed record: its row (id, dataset, data, columns), old and new decision, kinds
Seen = Callable[[Any, dict[str, Any], dict[str, Any], list[str]], None]


def _stored(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in columns}
    for name in ("pub_from", "pub_until"):
        if isinstance(values[name], str):  # pragma: no cover - SQLAlchemy returns dates
            values[name] = date.fromisoformat(values[name])
    for name in ("natural_person", "is_shared", "is_public", "in_force"):
        values[name] = bool(values[name])
    return values


def _update(columns: tuple[str, ...]) -> sa.Update:
    return (
        sa.update(records)
        .where(records.c.id == sa.bindparam("rid"))
        .values({name: sa.bindparam(f"v_{name}") for name in columns})
    )


_UPDATE = _update(COLUMNS)


def batch(
    conn: sa.Connection,
    catalog: Catalog,
    report: Report,
    after: int,
    size: int = BATCH,
    columns: tuple[str, ...] = COLUMNS,
    feed: bool = True,
    seen: Seen | None = None,
) -> bool:
    """Judge the next ``size`` records after id ``after``; write the changed ones unless a dry
    run. False when there were none left. ``columns``: the decision columns the schema has
    (an older migration back-fills those it knows); ``feed``: the change log keeps each
    version's sharing decision (migration 0023), to be brought in line too. ``seen`` is told
    of each changed record (its row, the stored and the new decision, the kinds of change): a
    simulation's examples."""
    rows = conn.execute(
        sa.select(records.c.id, records.c.dataset, records.c.version, records.c.data)
        .add_columns(*records.c[columns])
        .where(records.c.id > after)
        .order_by(records.c.id)
        .limit(size)
    ).fetchall()
    if not rows:
        return False
    updates = []
    current: dict[int, tuple[int, bool]] = {}  # the version and sharing decision now
    unshared: list[int] = []  # records whose sharing decision changed
    for row in rows:
        old = _stored(row, columns)
        _tally(report.before, old)
        if row.dataset not in catalog:
            report.unknown += 1
            _tally(report.after, old)
            continue
        new = decision_columns(catalog.get(row.dataset), dict(row.data))
        new = {name: new[name] for name in columns}
        _tally(report.after, new)
        current[row.id] = (int(row.version), bool(new["is_shared"]))
        if old["is_shared"] != new["is_shared"]:
            unshared.append(row.id)
        kinds = _kinds(old, new)
        if kinds:
            report.changed += 1
            report.kinds.update(kinds)
            if seen is not None:
                seen(row, old, new, kinds)
            updates.append({"rid": row.id, **{f"v_{k}": v for k, v in new.items()}})
    if updates and not report.dry_run:
        update = _UPDATE if columns == COLUMNS else _update(columns)
        conn.execute(update, updates)
        feed_marks.forget(conn, [u["rid"] for u in updates])  # the feed judges them again
    if feed and not report.dry_run:
        # the change feed's copy of each version's sharing decision (migration 0023)
        feed_marks.reshare(conn, catalog, current, unshared)
    report.looked += len(rows)
    report.last_id = rows[-1].id
    return True


def _change_log_columns(conn: sa.Connection) -> set[str]:
    """The change log's columns as the schema has them now (a migration older than 0023 runs
    the recompute before the feed keeps its own copy of each version)."""
    return {column["name"] for column in sa.inspect(conn).get_columns("change_log")}


def apply(
    conn: sa.Connection,
    catalog: Catalog,
    *,
    size: int = BATCH,
    columns: tuple[str, ...] = COLUMNS,
) -> Report:
    """Every record judged again and written, in batches, inside the caller's transaction
    (the migrations that add the columns back-fill them this way, each the ``columns`` it has)."""
    report = Report()
    feed = "shared" in _change_log_columns(conn)
    while batch(conn, catalog, report, report.last_id, size, columns, feed):
        pass
    return report


def recompute(
    engine: sa.Engine,
    catalog: Catalog,
    *,
    regimes_dir: Path | None,
    now: datetime,
    actor: str = "cli",
    dry_run: bool = False,
    after: int = 0,
    size: int = BATCH,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Judge every record after id ``after`` again under the rules in force (the regimes folder
    checked first, before anything is written); one transaction per batch. A run that wrote
    is audited (``visibility.recompute``, with its report)."""
    from gongxin.audit import log as audit

    regimes.configure(regimes_dir)  # refuses a malformed file here, before any write
    report = Report(last_id=after, dry_run=dry_run)
    while True:
        with engine.begin() as conn:
            more = batch(conn, catalog, report, report.last_id, size)
        if not more:
            break
        if progress is not None:
            progress(report)
    if not dry_run:
        with engine.begin() as conn:
            audit.record(
                conn, actor=actor, action=AUDIT_ACTION, target="records", now=now,
                detail=report.to_dict() | {"regimes": str(regimes_dir) if regimes_dir else None},
            )  # fmt: skip
    return report
