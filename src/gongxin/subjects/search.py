"""Finding subjects: by code (USCC, registration number, organisation code) or by fragments of
the name, tolerant of full-width/half-width forms, bracket kinds and 有限公司/有限责任公司.

Several keywords (separated by spaces) must all occur in the name. A name typed without its
brackets (北京某某科技北京有限公司 for 北京某某科技（北京）有限公司) is found too: when the
indexed search finds nothing, the names are compared with their brackets left out. A query
that is a code with a wrong check character is refused saying so (校验码错误), never answered
with "nothing found".

Matches are read from the page asked for up to one page further (``LOOKAHEAD_PAGES``), never
all of them: a common fragment matches a large share of a province, and counting every match
would cost many times the page itself. So the total is exact when the matches end within that
reach, else it reads "N+" with the pager one page ahead. The order: names equal to the query
first, then in registration order; a set of at most ``RANK_LIMIT`` matches is ranked whole
(the exact name, then shorter names, then registration order), on every page alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
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
RANK_LIMIT = 40  # a set of at most this many matches is ranked whole (exact, then shorter names)
LOOKAHEAD_PAGES = 1  # matches are read this many pages past the page asked for, no further


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
    total: int  # the matches known: exact unless ``capped``
    hits: list[Hit]
    capped: bool = False  # there are more matches than ``total`` (not counted further)
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
    source: _Source
    if kind in ("uscc", "reg_no"):
        column = subjects.c.uscc if kind == "uscc" else subjects.c.reg_no
        source = _Select(column == uscc.compact(text), None)
    elif kind == "org_code":
        source = _Select(subjects.c.org_code == uscc.compact(text), None)
    else:
        exact = key if key and all(w in key for w in words) else None
        # SQLite, every keyword of three characters or more: the trigram index pages alone
        phrases = dialect.fts_phrases(conn, words)
        source = (
            _Fts(phrases, exact) if phrases is not None
            else _Select(sa.and_(*(
                dialect.contains(conn, subjects.c.name_norm, subjects.c.id, w, "subjects_fts")
                for w in words
            )), exact)
        )  # fmt: skip
    skip = (page - 1) * size
    reach = max(size * (1 + LOOKAHEAD_PAGES), RANK_LIMIT) + 1  # one more: are there more?
    rows, total, capped = _window(conn, source, skip, reach)
    if not total and kind == "name":  # typed without the name's brackets?
        bare = [w.replace("(", "").replace(")", "") for w in words]
        source = _Select(sa.and_(
            *(_unbracketed(subjects.c.name_norm).contains(w, autoescape=True) for w in bare)
        ), None)  # fmt: skip
        rows, total, capped = _window(conn, source, skip, reach)
    if kind == "name" and not capped and total <= RANK_LIMIT:  # the whole set: ranked
        every = rows if skip == 0 else source.rows(conn, 0, total)
        rows = sorted(every, key=lambda r: (r[-1] != key, len(r[-1]), r[0]))[skip:]
    hits = [_public(Hit(*row[:-1])) for row in rows[:size]]
    return Page(text, kind, page, size, total, hits, capped, tuple(words))


def _window(conn: sa.Connection, source: _Source, skip: int, reach: int) -> tuple[Any, int, bool]:
    """The matches from ``skip`` on, at most ``reach`` of them; how many matches there are as
    far as that shows (all of them when fewer than ``reach`` were found); whether there are
    more than that (the last of ``reach`` read only to tell)."""
    rows = source.rows(conn, skip, reach)
    if len(rows) == reach:
        return rows, skip + reach - 1, True
    if rows or not skip:
        return rows, skip + len(rows), False
    return rows, source.count(conn, skip + 1), False  # a page past the end: how many there are


_HIT = (
    subjects.c.id, subjects.c.uscc, subjects.c.reg_no, subjects.c.name, subjects.c.entity_type,
    subjects.c.region, subjects.c.legal_rep, subjects.c.reg_status, subjects.c.name_norm,
)  # fmt: skip


class _Source(ABC):
    """The subjects matching a query, in the search's order: those named exactly ``exact``
    first (the index on ``name_norm``), then the others in registration order."""

    def __init__(self, exact: str | None) -> None:
        self.exact = exact

    def rows(self, conn: sa.Connection, skip: int, limit: int) -> list[Any]:
        """``limit`` matches from the ``skip``-th on, in order."""
        if self.exact is None:
            return self._others(conn, skip, limit)
        named = list(conn.execute(
            sa.select(*_HIT).where(subjects.c.name_norm == self.exact)
            .order_by(subjects.c.id).limit(skip + limit)
        ))  # fmt: skip
        if len(named) >= skip + limit:
            return named[skip:]
        head = named[skip:]
        return head + self._others(conn, max(skip - len(named), 0), limit - len(head))

    @abstractmethod
    def _others(self, conn: sa.Connection, skip: int, limit: int) -> list[Any]:
        """``limit`` of the matches not named exactly, from the ``skip``-th on, by id."""

    @abstractmethod
    def count(self, conn: sa.Connection, cap: int) -> int:
        """How many subjects match, counted up to ``cap``."""


class _Select(_Source):
    """Matches of a condition on ``subjects`` (a code, or every keyword through the dialect's
    trigram index)."""

    def __init__(self, condition: sa.ColumnElement[bool], exact: str | None) -> None:
        super().__init__(exact)
        self.condition = condition

    def _others(self, conn: sa.Connection, skip: int, limit: int) -> list[Any]:
        where = self.condition
        if self.exact is not None:
            where = sa.and_(where, subjects.c.name_norm != self.exact)
        found = sa.select(*_HIT).where(where).order_by(subjects.c.id).limit(limit).offset(skip)
        return list(conn.execute(found))

    def count(self, conn: sa.Connection, cap: int) -> int:
        matches = sa.select(subjects.c.id).where(self.condition).limit(cap).subquery()
        return int(conn.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())


# SQLite's FTS5 trigram table, read alone (its rowids are the subjects' ids, in order): a
# window of the matches straight from the index, those named exactly left out when asked
_FTS = "SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?"
_FTS_COUNT = f"SELECT count(*) FROM ({_FTS} LIMIT ?)"
_OTHERS = " AND rowid NOT IN (SELECT id FROM subjects WHERE name_norm = ?)"
_COLUMNS = "id, uscc, reg_no, name, entity_type, region, legal_rep, reg_status, name_norm"
_FTS_WINDOW = (
    f"SELECT {_COLUMNS} FROM subjects WHERE id IN ({_FTS}{{others}} "
    "ORDER BY rowid LIMIT ? OFFSET ?) ORDER BY id"
)


class _Fts(_Source):
    """Matches of every phrase in SQLite's FTS5 trigram table."""

    def __init__(self, phrases: str, exact: str | None) -> None:
        super().__init__(exact)
        self.phrases = phrases

    def _others(self, conn: sa.Connection, skip: int, limit: int) -> list[Any]:
        params: tuple[Any, ...]
        if self.exact is None:
            sql, params = _FTS_WINDOW.format(others=""), (self.phrases, limit, skip)
        else:
            sql = _FTS_WINDOW.format(others=_OTHERS)
            params = (self.phrases, self.exact, limit, skip)
        return dialect.driver_rows(conn, sql, params)

    def count(self, conn: sa.Connection, cap: int) -> int:
        return int(dialect.driver_rows(conn, _FTS_COUNT, (self.phrases, cap))[0][0])


def _public(hit: Hit) -> Hit:
    """A hit as the public sees it: the operator's name masked, and the name of a 个体工商户
    named after its operator masked like it."""
    rep = hit.legal_rep
    return replace(
        hit,
        name=mask_subject_name(hit.name, hit.entity_type, [rep]),
        legal_rep=mask_person_name(rep) if rep else rep,
    )
