"""Finding subjects: by code (USCC, registration number, organisation code) or by a fragment of
the name, tolerant of full-width/half-width forms, bracket kinds and 有限公司/有限责任公司."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.models import subjects
from gongxin.errors import InvalidInput
from gongxin.ids import classify, uscc
from gongxin.records.gate import mask_person_name, mask_subject_name
from gongxin.subjects.names import normalise_name

MAX_QUERY = 100  # characters
MAX_PAGE_SIZE = 100
COUNT_CAP = 1_000  # matches counted at most: past that the total reads "1000+"
RANK_LIMIT = 1_000  # up to this many matches are ranked (exact name, then shorter names)


@dataclass(frozen=True)
class Hit:
    id: int
    uscc: str | None
    reg_no: str | None
    name: str
    entity_type: str | None
    region: str | None
    legal_rep: str | None


@dataclass(frozen=True)
class Page:
    q: str
    matched_by: str  # uscc | reg_no | org_code | name
    page: int
    size: int
    total: int  # at most COUNT_CAP
    hits: list[Hit]
    capped: bool = False  # there are more matches than ``total``

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _checked(q: str, page: int, size: int) -> str:
    text = q.strip()
    if not text:
        raise InvalidInput("请输入名称或统一社会信用代码", "enter a name or a code to search for")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):  # NUL and other control characters
        raise InvalidInput(
            "查询内容含有控制字符，请只输入名称或代码",
            "the query holds control characters; enter a name or a code",
        )
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            f"查询内容过长（最多 {MAX_QUERY} 字）",
            f"the query is longer than {MAX_QUERY} characters",
        )
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1 and size is 1 to {MAX_PAGE_SIZE}",
        )
    return text


def search(conn: sa.Connection, q: str, *, page: int = 1, size: int = 20) -> Page:
    """Subjects matching ``q``: an exact code, else names containing the fragment. One
    statement, compiled once per dialect and kind, gives the page and the bounded count."""
    text = _checked(q, page, size)
    code_kind = classify(text)
    kind: str = code_kind if code_kind in ("uscc", "reg_no", "org_code") else "name"
    key = normalise_name(text)
    short = kind == "name" and len(key) < 3  # SQLite: below the trigram index
    statement = dialect.prepared(
        conn, ("search", kind, short, COUNT_CAP, RANK_LIMIT), lambda: _statement(conn, kind, short)
    )
    value = key if kind == "name" else uscc.compact(text)
    params = {"q": _bound(conn, kind, key, value), "name": key, "skip": (page - 1) * size,
              "size": size}  # fmt: skip
    found = statement.rows(conn, params)
    if found:
        counted = int(found[0][-1])
    elif page > 1:  # past the last page: the count alone, for the page's header
        counted = int(statement.rows(conn, params | {"skip": 0, "size": 1})[0][-1])
    else:
        counted = 0
    total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    hits = [_public(Hit(*row[:7])) for row in found]
    return Page(text, kind, page, size, total, hits, capped)


def _ids(conn: sa.Connection, kind: str, short: bool) -> tuple[sa.Select[Any], Any]:
    if kind == "name":
        return dialect.containing_ids(
            conn, subjects, "name_norm", 2 if short else 3, "subjects_fts"
        )
    column = {"uscc": subjects.c.uscc, "reg_no": subjects.c.reg_no, "org_code": subjects.c.org_code}
    return sa.select(subjects.c.id).where(column[kind] == sa.bindparam("q", type_=sa.String)), str


def _bound(conn: sa.Connection, kind: str, key: str, value: str) -> str:
    _, make = _ids(conn, kind, len(key) < 3)
    return str(make(value))


def _statement(conn: sa.Connection, kind: str, short: bool) -> sa.Select[Any]:
    ids, _ = _ids(conn, kind, short)
    return _one_query(ids, kind == "name")


def _one_query(ids: sa.Select[Any], by_name: bool) -> sa.Select[Any]:
    """The page and the bounded count in one statement, from ``ids`` (the matching subjects'
    ids): the first COUNT_CAP + 1 are counted once (a CTE); when there are at most RANK_LIMIT
    they are ranked (for a name: exact name first, then shorter names), else the page is the
    matches in registration order (id), read from the index in that order. Each row carries
    the count; only one of the two branches yields rows (the ranked one is not run when there
    are more matches: its LIMIT is 0)."""
    s = subjects.c
    matches = ids.limit(COUNT_CAP + 1).cte("matches")
    counted = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    limit = min(RANK_LIMIT, COUNT_CAP)
    shown = (s.id, s.uscc, s.reg_no, s.name, s.entity_type, s.region, s.legal_rep)
    skip = sa.bindparam("skip", type_=sa.Integer)
    size = sa.bindparam("size", type_=sa.Integer)
    keys: list[sa.ColumnElement[Any]] = [sa.literal(0), sa.literal(0)]
    if by_name:
        name = sa.bindparam("name", type_=sa.String)
        keys = [sa.case((s.name_norm == name, 0), else_=1), sa.func.length(s.name_norm)]
    ranked = (
        sa.select(*shown, keys[0].label("k1"), keys[1].label("k2"), counted.label("n"))
        .join(matches, matches.c.id == s.id)
        .where(counted <= limit)
        .order_by(*keys, s.id)
        .limit(sa.case((counted <= limit, size), else_=0))
        .offset(skip)
        .subquery()
    )
    in_order = ids.subquery()
    # a plain LIMIT, so that the planner walks the ids in order and stops after a page
    page_ids = sa.select(in_order.c.id).order_by(in_order.c.id).limit(size).offset(skip).subquery()
    plain = (
        sa.select(*shown, sa.literal(0).label("k1"), sa.literal(0).label("k2"))
        .add_columns(counted.label("n"))
        .join(page_ids, page_ids.c.id == s.id)
        .where(counted > limit)
        .subquery()
    )
    both = sa.union_all(sa.select(ranked), sa.select(plain)).subquery()
    c = both.c
    return sa.select(
        c.id, c.uscc, c.reg_no, c.name, c.entity_type, c.region, c.legal_rep, c.n
    ).order_by(c.k1, c.k2, c.id)


def _public(hit: Hit) -> Hit:
    """A hit as the public sees it: the operator's name masked, and the name of a 个体工商户
    named after its operator masked like it."""
    rep = hit.legal_rep
    return replace(
        hit,
        name=mask_subject_name(hit.name, hit.entity_type, [rep]),
        legal_rep=mask_person_name(rep) if rep else rep,
    )
