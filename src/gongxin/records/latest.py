"""双公示 columns: the latest licences and penalties across subjects, as the public sees them.

Filtered and paged in SQL on the decision stored with each record (``decisions.public_now``,
index ``ix_records_public_list``), so page 1,000 is as right as page 1. Each entry is the
public view stored with the record version (``decisions.public_text``: masked when written,
recomputed when the rules change), returned as that JSON text: no parsing or masking per read.
The page query is compiled once per dialect and filter set and run on the driver's cursor
(``dialect.prepared``); it reads one row past the page, so that the caller
knows whether a next page exists without a second query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import departments, records
from gongxin.errors import InvalidInput, NotFound
from gongxin.records.decisions import public_now

COLUMNS = ("licence", "penalty")
MAX_PAGE_SIZE = 100


class Entry(NamedTuple):
    """One record of a column (a tuple: made twenty to a page, with no per-field setting)."""

    record_id: int
    dataset: str
    subject_name: str | None
    decision_date: date | None
    department: str
    text: str  # the record as the public reads it (masked), JSON text as stored

    @property
    def data(self) -> dict[str, Any]:
        """The masked record, parsed (for pages that render its fields)."""
        parsed: dict[str, Any] = orjson.loads(self.text)
        return parsed


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    more: bool  # a next page exists


def latest(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    department: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    size: int = 20,
) -> list[Entry]:
    """Newest decisions first; only records the public may see on ``as_of``."""
    return latest_page(
        conn, catalog, dataset, as_of=as_of, department=department, since=since, until=until,
        page=page, size=size,
    ).entries  # fmt: skip


def latest_page(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    department: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    size: int = 20,
) -> Page:
    """:func:`latest`, and whether a next page exists (one query: the page and one row more)."""
    if dataset not in COLUMNS:
        raise NotFound(
            f"双公示栏目只有：{'、'.join(COLUMNS)}", f"the columns are {', '.join(COLUMNS)}"
        )
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1 and size is 1 to {MAX_PAGE_SIZE}",
        )
    catalog.get(dataset)  # a dataset the catalog knows
    params = {"dataset": dataset, "as_of": as_of, "department": department, "since": since,
              "until": until, "skip": (page - 1) * size, "size": size + 1}  # fmt: skip
    flags = (department is not None, since is not None, until is not None)
    fromiso = date.fromisoformat  # SQLite gives the day as its stored text
    rows = dialect.prepared(conn, ("latest", *flags), lambda: _query(*flags)).rows(conn, params)
    return Page(
        [
            Entry(
                rid,
                dataset,
                name,
                fromiso(decided) if type(decided) is str else decided,
                dept,
                text,
            )
            for rid, name, decided, dept, text in rows[:size]
        ],
        len(rows) > size,
    )


def page_json(as_of: date, page: int, size: int, entries: list[Entry]) -> bytes:
    """The API's answer for one page of a column, as JSON bytes: each record's stored public
    view embedded as it is (``orjson.Fragment``), not parsed again."""
    fragment = orjson.Fragment
    return orjson.dumps(
        {
            "as_of": as_of, "page": page, "size": size,
            "records": [
                {"record_id": rid, "dataset": code, "subject_name": name, "decision_date": day,
                 "department": dept, "data": fragment(text)}
                for rid, code, name, day, dept, text in entries
            ],
        }
    )  # fmt: skip


def _query(department: bool, since: bool, until: bool) -> sa.Select[Any]:
    """The page query for these filters (its values are bound at execution): the page's ids
    from the index alone, then their rows, department and stored public view (JSON text)."""
    as_of = sa.bindparam("as_of", type_=sa.Date)
    page_ids = (
        sa.select(records.c.id, records.c.event_date)
        .where(records.c.dataset == sa.bindparam("dataset"), records.c.event_date <= as_of)
        .where(public_now(as_of))
        .order_by(records.c.event_date.desc(), records.c.id.desc())
        .offset(sa.bindparam("skip", type_=sa.Integer))
        .limit(sa.bindparam("size", type_=sa.Integer))
    )
    if department:  # the record's owner: the department that submitted it (migration 0009)
        by_department = sa.select(departments.c.id).where(
            departments.c.name == sa.bindparam("department")
        )
        page_ids = page_ids.where(records.c.department_id.in_(by_department))
    if since:
        page_ids = page_ids.where(records.c.event_date >= sa.bindparam("since", type_=sa.Date))
    if until:
        page_ids = page_ids.where(records.c.event_date <= sa.bindparam("until", type_=sa.Date))
    wanted = page_ids.subquery()
    return (
        sa.select(
            records.c.id, records.c.subject_name, records.c.event_date, departments.c.name,
            records.c.public_data,
        )
        .join(wanted, wanted.c.id == records.c.id)
        .join(departments, departments.c.id == records.c.department_id)
        .order_by(records.c.event_date.desc(), records.c.id.desc())
    )  # fmt: skip
