"""Finding subjects: by code (USCC, registration number, organisation code) or by fragments of
the name, tolerant of full-width/half-width forms, bracket kinds and 有限公司/有限责任公司.

Several keywords (separated by spaces) must all occur in the name. A name typed without its
brackets (北京某某科技北京有限公司 for 北京某某科技（北京）有限公司) is found too: when the
indexed search finds nothing, the names are compared with their brackets left out. A query
that is a code with a wrong check character is refused saying so (校验码错误), never answered
with "nothing found"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.models import subjects
from gongxin.errors import InvalidInput
from gongxin.ids import classify, uscc
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.ids.normalise import normalise
from gongxin.records.gate import mask_person_name, mask_subject_name
from gongxin.subjects.names import normalise_name

MAX_QUERY = 100  # characters
MAX_KEYWORDS = 5
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
    reg_status: str | None = None  # 登记状态 (存续, 注销 …) as registered


@dataclass(frozen=True)
class Page:
    q: str
    matched_by: str  # uscc | reg_no | org_code | name
    page: int
    size: int
    total: int  # at most COUNT_CAP
    hits: list[Hit]
    capped: bool = False  # there are more matches than ``total``
    keywords: tuple[str, ...] = ()  # the name keywords searched for, normalised

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


def keywords(text: str) -> list[str]:
    """The query's name keywords, normalised: split at spaces (full-width ones too)."""
    words = [normalise_name(w) for w in text.split()]
    words = [w for w in words if w]
    if len(words) > MAX_KEYWORDS:
        raise InvalidInput(
            f"关键词过多（最多 {MAX_KEYWORDS} 个）", f"more than {MAX_KEYWORDS} keywords"
        )
    return words


def _unbracketed(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.replace(sa.func.replace(column, "(", ""), ")", "")


def _code_mistake(text: str) -> None:
    """Refuse a query that is meant as a USCC but is not valid one (a wrong check character,
    a character not allowed), naming what is wrong; a name never looks like this."""
    code = normalise(text)
    digits = sum(ch.isdigit() for ch in code)
    if len(code) == uscc.LENGTH and code.isascii() and code.isalnum() and digits >= 10:
        try:
            uscc.validate(code)
        except InvalidIdentifier as exc:
            raise InvalidInput(
                f"{exc.zh}；请核对代码", f"{exc.en}; check the code",
                rule=exc.rule, value=code,
            ) from exc  # fmt: skip


def search(conn: sa.Connection, q: str, *, page: int = 1, size: int = 20) -> Page:
    """Subjects matching ``q``: an exact code, else names containing every keyword."""
    text = _checked(q, page, size)
    code_kind = classify(text)
    kind: str = code_kind if code_kind in ("uscc", "reg_no", "org_code") else "name"
    if kind == "name":
        _code_mistake(text)
    key = normalise_name(text)
    words = keywords(text) if kind == "name" else []
    # SQLite, every keyword of three characters or more: the trigram index answers alone, its
    # matches counted and paged in registration order from the index (not a list of them all)
    phrases = dialect.fts_phrases(conn, words) if kind == "name" else None
    condition: sa.ColumnElement[bool]
    if kind in ("uscc", "reg_no"):
        column = subjects.c.uscc if kind == "uscc" else subjects.c.reg_no
        condition = column == uscc.compact(text)
    elif kind == "org_code":
        condition = subjects.c.org_code == uscc.compact(text)
    elif phrases is not None:
        condition = subjects.c.id.in_(_fts(phrases))
    else:
        condition = sa.and_(
            *(dialect.contains(conn, subjects.c.name_norm, subjects.c.id, w, "subjects_fts")
              for w in words)
        )  # fmt: skip
    total, capped = _fts_count(conn, phrases) if phrases is not None else _count(conn, condition)
    if not total and kind == "name":  # typed without the name's brackets?
        bare = [w.replace("(", "").replace(")", "") for w in words]
        condition = sa.and_(
            *(_unbracketed(subjects.c.name_norm).contains(w, autoescape=True) for w in bare)
        )
        total, capped, phrases = *_count(conn, condition), None
    skip = (page - 1) * size
    rows: Any
    if kind == "name" and not capped and total <= RANK_LIMIT:  # ranking reads every match
        exact = sa.case((subjects.c.name_norm == key, 0), else_=1)
        order = [exact, sa.func.length(subjects.c.name_norm), subjects.c.id]
        rows = conn.execute(
            sa.select(*_HIT).where(condition).order_by(*order).limit(size).offset(skip)
        )
    elif phrases is not None:  # the page's ids straight from the index, in id order
        rows = dialect.driver_rows(conn, _FTS_PAGE, (phrases, size, skip))
    else:
        rows = conn.execute(
            sa.select(*_HIT).where(condition).order_by(subjects.c.id).limit(size).offset(skip)
        )
    hits = [_public(Hit(*row)) for row in rows]
    return Page(text, kind, page, size, total, hits, capped, tuple(words))


_HIT = (
    subjects.c.id, subjects.c.uscc, subjects.c.reg_no, subjects.c.name, subjects.c.entity_type,
    subjects.c.region, subjects.c.legal_rep, subjects.c.reg_status,
)  # fmt: skip


# SQLite's FTS5 trigram table, read alone (its rowids are the subjects' ids, in order): every
# match of the phrases, the first COUNT_CAP + 1 of them counted, one page of them
_FTS = "SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?"
_FTS_COUNT = f"SELECT count(*) FROM ({_FTS} LIMIT ?)"
_FTS_PAGE = (
    "SELECT id, uscc, reg_no, name, entity_type, region, legal_rep, reg_status FROM subjects "
    f"WHERE id IN ({_FTS} ORDER BY rowid LIMIT ? OFFSET ?) ORDER BY id"
)


def _fts(phrases: str) -> sa.Select[Any]:
    """The ids of the subjects whose names hold every phrase (SQLite's FTS5 trigram table)."""
    return (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table("subjects_fts"))
        .where(sa.literal_column("subjects_fts").op("MATCH")(phrases))
    )


def _fts_count(conn: sa.Connection, phrases: str) -> tuple[int, bool]:
    """:func:`_count` read from the FTS5 index alone: its first COUNT_CAP + 1 matches."""
    counted = int(dialect.driver_rows(conn, _FTS_COUNT, (phrases, COUNT_CAP + 1))[0][0])
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _count(conn: sa.Connection, condition: sa.ColumnElement[bool]) -> tuple[int, bool]:
    """Count at most COUNT_CAP + 1 matches: a common fragment matches a large share of a
    province, and counting them all would cost more than the page itself."""
    matches = sa.select(subjects.c.id).where(condition).limit(COUNT_CAP + 1).subquery()
    counted = int(conn.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _public(hit: Hit) -> Hit:
    """A hit as the public sees it: the operator's name masked, and the name of a 个体工商户
    named after its operator masked like it."""
    rep = hit.legal_rep
    return replace(
        hit,
        name=mask_subject_name(hit.name, hit.entity_type, [rep]),
        legal_rep=mask_person_name(rep) if rep else rep,
    )
