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
COUNT_CAP = 10_000  # matches counted at most: past that the total reads "10,000+"
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
    """Subjects matching ``q``: an exact code, else names containing the fragment."""
    text = _checked(q, page, size)
    code_kind = classify(text)
    kind: str = code_kind if code_kind in ("uscc", "reg_no", "org_code") else "name"
    key = normalise_name(text)
    condition: sa.ColumnElement[bool]
    if kind in ("uscc", "reg_no"):
        column = subjects.c.uscc if kind == "uscc" else subjects.c.reg_no
        condition = column == uscc.compact(text)
    elif kind == "org_code":
        condition = subjects.c.org_code == uscc.compact(text)
    else:
        condition = dialect.contains(conn, subjects.c.name_norm, subjects.c.id, key, "subjects_fts")
    # Count at most COUNT_CAP + 1 matches: a common fragment matches a large share of a
    # province, and counting them all would cost more than the page itself.
    matches = sa.select(subjects.c.id).where(condition).limit(COUNT_CAP + 1).subquery()
    counted = int(conn.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())
    total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    order: list[sa.ColumnElement[Any]] = [subjects.c.id]
    if kind == "name" and not capped and total <= RANK_LIMIT:  # ranking reads every match
        exact = sa.case((subjects.c.name_norm == key, 0), else_=1)
        order = [exact, sa.func.length(subjects.c.name_norm), subjects.c.id]
    rows = conn.execute(
        sa.select(
            subjects.c.id, subjects.c.uscc, subjects.c.reg_no, subjects.c.name,
            subjects.c.entity_type, subjects.c.region, subjects.c.legal_rep,
        )
        .where(condition)
        .order_by(*order)
        .limit(size)
        .offset((page - 1) * size)
    )  # fmt: skip
    return Page(text, kind, page, size, total, [_public(Hit(*row)) for row in rows], capped)


def _public(hit: Hit) -> Hit:
    """A hit as the public sees it: the operator's name masked, and the name of a 个体工商户
    named after its operator masked like it."""
    rep = hit.legal_rep
    return replace(
        hit,
        name=mask_subject_name(hit.name, hit.entity_type, [rep]),
        legal_rep=mask_person_name(rep) if rep else rep,
    )
