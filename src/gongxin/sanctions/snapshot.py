"""The entries that apply on a date, held in DuckDB for the bulk engine, cached per store state.

One query per list type selects, in SQL on the visibility decision stored with each record
(``lists.applies_now``, the single check's rule), the entries that apply on the date, joined to
their subjects; they give two DuckDB tables: ``entries`` and
``keys``, the codes each entry answers to (a linked record answers to its subject's USCC,
registration number and organisation code; an unlinked one to the code it gave, and one given
as an organisation code also to USCCs that embed it).

Building it reads every entry that applies (seconds for 100,000 entries), so ``current`` keeps
the snapshots of the last two (store, catalog, date, store state) in this process. The store
state is a fingerprint read in one cheap query: count, highest id, sum of versions and number of
linked records of the list datasets' records, and count, highest id and latest change of the
subjects. Intake raises a record's version on every correction or status change, linking sets
``subject_id``, a new subject raises the count and a changed one its ``updated_at``, so any
change that could alter an answer changes the fingerprint and the next check rebuilds; so does
``gongxin visibility recompute`` (the newest audit entry of one).
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.audit_tables import audit_log
from gongxin.db.models import records, subjects
from gongxin.records.recompute import AUDIT_ACTION as RECOMPUTED
from gongxin.sanctions.lists import applies_now, entry_of, list_types

ENTRY_COLUMNS = (
    "entry", "list_type", "list_name", "kind", "authority", "listed_on", "name", "subject_name",
    "json",
)  # fmt: skip
# ``json``: the entry as the check reports it (``lists.Entry.to_dict``), ready to aggregate
CACHED = 2  # snapshots kept per process (each holds every entry that applies on its day)


@dataclass(frozen=True)
class Snapshot:
    """Tables ``entries`` (ENTRY_COLUMNS and ``listed_text``, the entry as the explanation
    names it) and ``keys`` (key, via, entry) in ``db``; open
    ``db.cursor()`` to use them (a cursor is a connection of its own to the same database)."""

    as_of: date
    db: duckdb.DuckDBPyConnection
    entries: int
    keys: int
    fingerprint: tuple[Any, ...] = ()


def _datasets(catalog: Catalog) -> list[str]:
    return sorted({lt.dataset for lt in list_types(catalog).values()})


def fingerprint(conn: sa.Connection, catalog: Catalog) -> tuple[Any, ...]:
    """What the snapshot depends on, in two aggregate queries (see the module docstring)."""
    names = _datasets(catalog)
    r = conn.execute(
        sa.select(
            sa.func.count(), sa.func.max(records.c.id), sa.func.sum(records.c.version),
            sa.func.count(records.c.subject_id),
        ).where(records.c.dataset.in_(names))
    ).one()  # fmt: skip
    s = conn.execute(
        sa.select(sa.func.count(), sa.func.max(subjects.c.id), sa.func.max(subjects.c.updated_at))
    ).one()
    # stored decisions rewritten under new rules (gongxin visibility recompute, audited)
    rules = conn.execute(
        sa.select(sa.func.max(audit_log.c.seq)).where(audit_log.c.action == RECOMPUTED)
    ).scalar()
    return (*(int(v or 0) for v in r), int(s[0] or 0), int(s[1] or 0), str(s[2]), rules)


def build(conn: sa.Connection, catalog: Catalog, as_of: date) -> Snapshot:
    """Judge every list record on ``as_of`` and load the entries and keys into a new DuckDB."""
    types = list_types(catalog)
    query = (
        sa.select(
            records.c.id, records.c.data, records.c.updated_at, records.c.link_kind,
            records.c.link_code, subjects.c.uscc, subjects.c.reg_no, subjects.c.org_code,
            subjects.c.name,
        )
        .select_from(records.outerjoin(subjects, records.c.subject_id == subjects.c.id))
        .order_by(records.c.id)
        .execution_options(yield_per=5000)
    )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="gongxin-snapshot-"))
    entries_csv, keys_csv = folder / "entries.csv", folder / "keys.csv"
    n_entries = n_keys = 0
    try:
        with (
            entries_csv.open("w", newline="", encoding="utf-8") as ef,
            keys_csv.open("w", newline="", encoding="utf-8") as kf,
        ):
            ew, kw = csv.writer(ef), csv.writer(kf)
            ew.writerow(ENTRY_COLUMNS)
            kw.writerow(("key", "via", "entry"))
            for lt in types.values():
                rows = conn.execute(query.where(applies_now(lt, as_of)))
                for rid, data, changed, lkind, lcode, s_uscc, s_reg, s_org, s_name in rows:
                    e = entry_of(lt, rid, data, changed)
                    ew.writerow(
                        (n_entries, e.list_type, e.list_name, e.kind, e.authority, e.listed_on,
                         e.name, s_name, orjson.dumps(e.to_dict()).decode())
                    )  # fmt: skip
                    codes = [c for c in (s_uscc, s_reg, s_org) if c] if s_uscc or s_reg else []
                    if not codes and lcode:
                        codes = [lcode]
                    for c in dict.fromkeys(codes):
                        kw.writerow((c, "code", n_entries))
                        n_keys += 1
                    if not (s_uscc or s_reg) and lkind == "org_code" and lcode:
                        kw.writerow((lcode, "org_in_uscc", n_entries))
                        n_keys += 1
                    n_entries += 1
        db = duckdb.connect()
        db.execute(
            "CREATE TABLE entries AS SELECT * REPLACE (CAST(entry AS BIGINT) AS entry),"
            " '“' || list_name || '”（' || coalesce(authority, '认定机关未载明') || '，'"
            " || coalesce(listed_on, '日期不详') || ' 列入）' AS listed_text"
            " FROM read_csv(?, header=true, all_varchar=true)",
            [str(entries_csv)],
        )
        db.execute(
            "CREATE TABLE keys AS SELECT key, via, CAST(entry AS BIGINT) AS entry FROM "
            "read_csv(?, header=true, all_varchar=true)",
            [str(keys_csv)],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Snapshot(as_of, db, n_entries, n_keys)


_cache: dict[tuple[Any, ...], Snapshot] = {}
_lock = threading.Lock()


def current(conn: sa.Connection, catalog: Catalog, as_of: date) -> tuple[Snapshot, bool]:
    """The snapshot for ``as_of`` of the store as it is now, and whether it came from the
    cache; built (and cached) when the store changed since, or never built for this date."""
    key = (str(conn.engine.url), id(catalog), as_of, fingerprint(conn, catalog))
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found, True
    snap = build(conn, catalog, as_of)
    snap = Snapshot(snap.as_of, snap.db, snap.entries, snap.keys, key)
    with _lock:
        while len(_cache) >= CACHED:
            _cache.pop(next(iter(_cache)))  # oldest first; open cursors keep their database
        _cache[key] = snap
    return snap, False


def forget() -> None:
    """Drop every cached snapshot (tests; a deployment never needs it)."""
    with _lock:
        _cache.clear()
