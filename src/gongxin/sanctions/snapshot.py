"""The entries that apply on a date, written out for the bulk engine.

One pass over the list datasets' records (joined to their subjects), judged by the visibility
gate exactly as the single check judges them; the result is two CSV files DuckDB reads: the
entries, and the codes each entry answers to (a linked record answers to its subject's USCC,
registration number and organisation code; an unlinked one to the code it gave, and one given
as an organisation code also to USCCs that embed it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, subjects
from gongxin.sanctions.lists import applies, entry_of, list_types

ENTRY_COLUMNS = (
    "entry", "list_type", "list_name", "kind", "authority", "listed_on", "name", "subject_name",
    "json",
)  # fmt: skip
# ``json``: the entry as the check reports it (``lists.Entry.to_dict``), ready to aggregate


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    entries_csv: Path
    keys_csv: Path
    entries: int
    keys: int


def build(conn: sa.Connection, catalog: Catalog, as_of: date, folder: Path) -> Snapshot:
    """Write the entries applying on ``as_of`` and their codes to CSV files in ``folder``."""
    types = list_types(catalog)
    by_dataset: dict[str, list[object]] = {}
    for lt in types.values():
        by_dataset.setdefault(lt.dataset, []).append(lt)
    query = (
        sa.select(
            records.c.id, records.c.dataset, records.c.data, records.c.updated_at,
            records.c.link_kind, records.c.link_code, subjects.c.uscc, subjects.c.reg_no,
            subjects.c.org_code, subjects.c.name,
        )
        .select_from(records.outerjoin(subjects, records.c.subject_id == subjects.c.id))
        .where(records.c.dataset.in_(sorted(by_dataset)))
        .execution_options(yield_per=5000)
    )  # fmt: skip
    entries_csv, keys_csv = folder / "entries.csv", folder / "keys.csv"
    n_entries = n_keys = 0
    with (
        entries_csv.open("w", newline="", encoding="utf-8") as ef,
        keys_csv.open("w", newline="", encoding="utf-8") as kf,
    ):
        ew, kw = csv.writer(ef), csv.writer(kf)
        ew.writerow(ENTRY_COLUMNS)
        kw.writerow(("key", "via", "entry"))
        for rid, ds, data, changed, lkind, lcode, s_uscc, s_reg, s_org, s_name in conn.execute(
            query
        ):
            for lt in types.values():
                if lt.dataset != ds or not applies(lt, data, changed, as_of):
                    continue
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
    return Snapshot(as_of, entries_csv, keys_csv, n_entries, n_keys)
