"""双公示 columns: the latest licences and penalties across subjects, as the public sees them.

Filtered and paged in SQL on the decision stored with each record (``decisions.public_now``,
index ``ix_records_public_list``), so page 1,000 is as right as page 1. Each entry is the
public view stored with the record version (``decisions.public_text``: masked when written,
recomputed when the rules change), returned as that JSON text: no parsing or masking per read.
The page query is compiled once per dialect and filter set and run on the driver's cursor
(``dialect.prepared``); it reads one row past the page, so that the caller
knows whether a next page exists without a second query. Page 1 reads its rows in index
order; a later page finds its ids in the index first (the skipped rows are not read). Each row
is an :class:`Entry` as it is; on SQLite the stored view comes as its UTF-8 bytes
(``dialect.utf8_text``), embedded in the answer without decoding. Filters (department, deciding
authority, name or 文书号, dates) are SQL too; the count and the authorities' choice list are
their own queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import deciding_authority, departments, records
from gongxin.errors import InvalidInput, NotFound
from gongxin.records.decisions import public_now

COLUMNS = ("licence", "penalty")
MAX_PAGE_SIZE = 100
MAX_AUTHORITIES = 300  # the choice list of deciding authorities, most frequent first
# the deciding authority (许可机关 / 处罚机关) and the decision's 文书号, by column
_FIELDS = {"licence": ("XK_XKJG", "XK_WSH"), "penalty": ("CF_CFJG", "CF_WSH")}
_BRACKETS = str.maketrans({"（": "(", "）": ")", "(": "（", ")": "）"})


class Entry(NamedTuple):
    """One record of a column: the page query's row as it is (a tuple made twenty to a page
    with no per-field work; the decision date is parsed only when asked for)."""

    record_id: int
    dataset: str
    subject_name: str | None
    decided: date | str | None  # the decision date as the driver gave it (SQLite: ISO text)
    department: str
    # the record as the public reads it (masked), JSON text as stored (SQLite: its UTF-8
    # bytes, sent on without decoding)
    text: str | bytes

    @property
    def decision_date(self) -> date | None:
        day = self.decided
        return date.fromisoformat(day) if isinstance(day, str) else day

    @property
    def data(self) -> dict[str, Any]:
        """The masked record, parsed (for pages that render its fields)."""
        parsed: dict[str, Any] = orjson.loads(self.text)
        return parsed


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    more: bool  # a next page exists


@dataclass(frozen=True)
class Filters:
    """What a 双公示 list is narrowed to; every one applied in SQL."""

    department: str | None = None  # the owning (submitting) department's name
    authority: str | None = None  # the deciding authority as shown (许可机关 / 处罚机关)
    q: str | None = None  # part of the subject's name, or of the 文书号
    since: date | None = None
    until: date | None = None

    def flags(self) -> tuple[bool, bool, bool, bool, bool]:
        since, until = self.since is not None, self.until is not None
        return bool(self.department), bool(self.authority), bool(self.q), since, until

    def params(self) -> dict[str, Any]:
        q = (self.q or "").strip()
        return {
            "department": self.department,
            "authority": self.authority,
            "q": _like(q),
            "q_other": _like(q.translate(_BRACKETS)),  # the other bracket width
            "since": self.since,
            "until": self.until,
        }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _checked(dataset: str) -> None:
    if dataset not in COLUMNS:
        raise NotFound(
            f"双公示栏目只有：{'、'.join(COLUMNS)}", f"the columns are {', '.join(COLUMNS)}"
        )


def latest(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    department: str | None = None,
    authority: str | None = None,
    q: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    size: int = 20,
) -> list[Entry]:
    """Newest decisions first; only records the public may see on ``as_of``."""
    where = Filters(department, authority, q, since, until)
    found = latest_page(conn, catalog, dataset, as_of=as_of, filters=where, page=page, size=size)
    return found.entries


def latest_page(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    filters: Filters | None = None,
    page: int = 1,
    size: int = 20,
) -> Page:
    """:func:`latest`, and whether a next page exists (one query: the page and one row more)."""
    _checked(dataset)
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1 and size is 1 to {MAX_PAGE_SIZE}",
        )
    catalog.get(dataset)  # a dataset the catalog knows
    flags = filters.flags() if filters is not None else _NO_FILTERS
    skip = (page - 1) * size
    params = {"dataset": dataset, "as_of": as_of, "skip": skip, "size": size + 1}
    if filters is not None and any(flags):
        params.update(filters.params())
    first = skip == 0  # page 1 reads its rows straight; later pages find their ids first
    rows: list[Any]
    if flags[1] or flags[2]:  # a JSON field filtered: the JSON path is bound by SQLAlchemy
        rows = list(conn.execute(_query(dataset, first, *flags), params))
    else:  # the common pages: compiled once, on the driver's cursor
        key = ("latest", dataset, first, *flags)
        statement = dialect.prepared(conn, key, lambda: _query(dataset, first, *flags))
        rows = statement.rows(conn, params)
    new = tuple.__new__  # each row is an entry, columns in its order
    return Page([new(Entry, row) for row in rows[:size]], len(rows) > size)


_NO_FILTERS = (False, False, False, False, False)


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


def count(conn: sa.Connection, dataset: str, *, as_of: date, filters: Filters) -> int:
    """How many records :func:`latest` pages through with these filters."""
    _checked(dataset)
    ids = _matching(dataset, *filters.flags()).subquery()
    query = sa.select(sa.func.count()).select_from(ids)
    params = {"dataset": dataset, "as_of": as_of, **filters.params()}
    return int(conn.execute(query, params).scalar_one())


def authorities(conn: sa.Connection, dataset: str, *, as_of: date) -> list[str]:
    """The deciding authorities named by the public records of a column, most frequent first
    (the choice list of the portal's filter)."""
    _checked(dataset)
    field = deciding_authority(records.c.data)  # as indexed: ix_records_authority
    query = (
        sa.select(field, sa.func.count())
        .where(records.c.dataset == dataset, records.c.event_date <= as_of)
        .where(public_now(as_of), field.is_not(None), field != "")
        .group_by(field)
        .order_by(sa.func.count().desc(), field)
        .limit(MAX_AUTHORITIES)
    )
    return [str(name) for name, _n in conn.execute(query)]


@cache
def _matching(
    dataset: str, department: bool, authority: bool, q: bool, since: bool, until: bool
) -> sa.Select[Any]:
    """The ids (and dates) of the public records of ``dataset`` these filters keep, in SQL on
    the stored decision columns; values are bound at execution."""
    ids = sa.select(records.c.id, records.c.event_date)
    return _where(ids, dataset, department, authority, q, since, until)


def _where(
    ids: sa.Select[Any],
    dataset: str,
    department: bool,
    authority: bool,
    q: bool,
    since: bool,
    until: bool,
) -> sa.Select[Any]:
    """``ids`` narrowed to the public records of ``dataset`` these filters keep."""
    as_of = sa.bindparam("as_of", type_=sa.Date)
    number_field = _FIELDS[dataset][1]
    ids = ids.where(
        records.c.dataset == sa.bindparam("dataset"), records.c.event_date <= as_of
    ).where(public_now(as_of))
    if department:  # the record's owner: the department that submitted it (migration 0009)
        by_department = sa.select(departments.c.id).where(
            departments.c.name == sa.bindparam("department")
        )
        ids = ids.where(records.c.department_id.in_(by_department))
    if authority:  # the indexed expression (ix_records_authority): the column's own field
        ids = ids.where(deciding_authority(records.c.data) == sa.bindparam("authority"))
    if q:
        number = records.c.data[number_field].as_string()
        name = sa.and_(
            records.c.natural_person.is_(False),  # a person is not found by name in a list
            sa.or_(
                records.c.subject_name.like(sa.bindparam("q"), escape="\\"),
                records.c.subject_name.like(sa.bindparam("q_other"), escape="\\"),
            ),
        )
        ids = ids.where(
            sa.or_(name, number.like(sa.bindparam("q"), escape="\\"),
                   number.like(sa.bindparam("q_other"), escape="\\"))
        )  # fmt: skip
    if since:
        ids = ids.where(records.c.event_date >= sa.bindparam("since", type_=sa.Date))
    if until:
        ids = ids.where(records.c.event_date <= sa.bindparam("until", type_=sa.Date))
    return ids


@cache
def _query(
    dataset: str,
    first: bool,
    department: bool,
    authority: bool,
    q: bool,
    since: bool,
    until: bool,
) -> sa.Select[Any]:
    """The page query for these filters (its values are bound at execution), its columns in
    :class:`Entry`'s order: each record's id, dataset, name, date, department and stored
    public view (JSON text). Page 1 (``first``) reads the rows in index order and stops after
    the page; a later page first finds its ids (from the index alone when only the date or
    department narrows), so that the rows it skips are not read."""
    entry = sa.select(
        records.c.id, records.c.dataset, records.c.subject_name, records.c.event_date,
        departments.c.name, dialect.utf8_text(records.c.public_data),
    ).join(departments, departments.c.id == records.c.department_id)  # fmt: skip
    newest = (records.c.event_date.desc(), records.c.id.desc())
    skip = sa.bindparam("skip", type_=sa.Integer)
    size = sa.bindparam("size", type_=sa.Integer)
    if first:
        flags = (department, authority, q, since, until)
        return _where(entry, dataset, *flags).order_by(*newest).offset(skip).limit(size)
    page_ids = (
        _matching(dataset, department, authority, q, since, until)
        .order_by(*newest)
        .offset(skip)
        .limit(size)
    )
    wanted = page_ids.subquery()
    return entry.join(wanted, wanted.c.id == records.c.id).order_by(*newest)
