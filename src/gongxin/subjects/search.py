"""Finding subjects: by code (USCC, registration number, organisation code) or by fragments of
the name, tolerant of full-width/half-width forms, bracket kinds and 有限公司/有限责任公司.

Several keywords (separated by spaces) must all occur in the name. A name typed without its
brackets (北京某某科技北京有限公司 for 北京某某科技（北京）有限公司) is found too: when the
indexed search finds nothing, the names are compared with their brackets left out. A query
that is a code with a wrong check character is refused saying so (校验码错误), never answered
with "nothing found".

Matches are read from the page asked for up to one match past it, never all of them: a common
fragment matches a large share of a province, and counting every match would cost many times
the page itself. So the total is exact when the matches end on that page, else it reads "N+"
and the pager offers the next page. The order: names equal to the query
first, then in registration order; a set of at most ``RANK_LIMIT`` matches is ranked whole
(the exact name, then shorter names, then registration order), on every page alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.errors import InvalidInput
from gongxin.ids import classify, uscc
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.ids.normalise import normalise
from gongxin.records.masks import mask_person_name, mask_subject_name
from gongxin.subjects.names import normalise_name

PROBE_ROWS = 4_000  # PostgreSQL: the first subjects by id a name search looks through first
PROBE_SHARE = 40  # … for a window of at most PROBE_ROWS / PROBE_SHARE matches (see _Source)
PROBE_LONGEST = 4  # … and keywords of at most this many characters: the common fragments
MAX_QUERY = 100  # characters
MAX_KEYWORDS = 5
MAX_PAGE_SIZE = 100
RANK_LIMIT = 20  # a set of at most this many matches is ranked whole (exact, then shorter names)


@dataclass(slots=True)  # not frozen: made 20 times a search, and frozen init is slow
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
        """The pages known to hold matches: when capped, one more than ``total`` fills."""
        return max(1, -(-self.total // self.size)) + self.capped


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
    m = dialect.mark(conn)
    if kind in ("uscc", "reg_no", "org_code"):
        column = {"uscc": "uscc", "reg_no": "reg_no", "org_code": "org_code"}[kind]
        source = _Source(conn, f"{column} = {m}", [uscc.compact(text)], None)
    else:
        exact = key if key and all(w in key for w in words) else None
        # SQLite, every keyword of three characters or more: the trigram index pages alone
        phrases = dialect.fts_phrases(conn, words)
        if phrases is not None:
            source = _Fts(conn, phrases, exact)
        else:
            short = max(map(len, words), default=0) <= PROBE_LONGEST
            source = _Source(
                conn, *dialect.contains_sql(conn, "name_norm", words, _FTS_TABLE), exact,
                probe=short and not dialect.is_sqlite(conn),
            )  # fmt: skip
    skip = (page - 1) * size
    reach = max(size, RANK_LIMIT) + 1  # one match more: are there more?
    rows, total, capped = _window(source, skip, reach)
    if not total and kind == "name":  # typed without the name's brackets?
        bare = [w.replace("(", "").replace(")", "") for w in words]
        if all(bare):  # a keyword of brackets alone would match every name
            source = _Source(conn, *dialect.contains_sql(conn, _UNBRACKETED, bare), None)
            rows, total, capped = _window(source, skip, reach)
    if kind == "name" and not capped and total <= RANK_LIMIT:  # the whole set: ranked
        every = rows if skip == 0 else source.rows(0, total)
        rows = sorted(every, key=lambda r: (r[-1] != key, len(r[-1]), r[0]))[skip:]
    hits = [_public(row) for row in rows[:size]]
    return Page(text, kind, page, size, total, hits, capped, tuple(words))


def _window(source: _Source, skip: int, reach: int) -> tuple[list[Any], int, bool]:
    """The matches from ``skip`` on, at most ``reach`` of them; how many matches there are as
    far as that shows (all of them when fewer than ``reach`` were found); whether there are
    more than that (the last of ``reach`` read only to tell)."""
    rows = source.rows(skip, reach)
    if len(rows) == reach:
        return rows, skip + reach - 1, True
    if rows or not skip:
        return rows, skip + len(rows), False
    return rows, source.count(skip + 1), False  # a page past the end: how many there are


_FTS_TABLE = "subjects_fts"
_UNBRACKETED = "replace(replace(name_norm, '(', ''), ')', '')"
_COLUMNS = "id, uscc, reg_no, name, entity_type, region, legal_rep, reg_status, name_norm"


class _Source:
    """The subjects matching a condition (raw SQL for the driver, its parameters), in the
    search's order: those named exactly ``exact`` first (the index on ``name_norm``), then the
    others in registration order. Read on the driver's own cursor: one statement for a first
    page, its text the same on every call (psycopg prepares it after a few).

    ``probe`` (PostgreSQL's LIKE): the matches are first looked for among the first
    ``PROBE_ROWS`` subjects by id, read in order through the primary key. pg_trgm's index
    finds every match before the first page can be sorted out of them — ≈ 40 ms for a
    fragment that 35,000 of 1,000,000 names hold — while a common fragment fills a page from
    the first few thousand names. When the probe holds the whole window asked for, those are
    the first matches by id of all subjects, so the answer is the same; otherwise the full
    statement runs. Only short keywords probe (``PROBE_LONGEST``): a longer one is seldom
    common, and would pay the probe (≈ 1.5 ms) beside its index search (≈ 0.3 ms)."""

    def __init__(
        self,
        conn: sa.Connection,
        condition: str,
        params: list[str],
        exact: str | None,
        *,
        probe: bool = False,
    ) -> None:
        self.conn, self.condition, self.params, self.exact = conn, condition, params, exact
        self.m = dialect.mark(conn)
        self.probe = probe

    def rows(self, skip: int, limit: int) -> list[Any]:
        """``limit`` matches from the ``skip``-th on, in order."""
        m = self.m
        if self.exact is None:
            return self._others_read(skip, limit)
        named = f"SELECT {_COLUMNS} FROM subjects WHERE name_norm = {m} ORDER BY id LIMIT {m}"
        if skip == 0:  # both parts in one statement, told apart by the name
            for probed in (True, False) if self._probes(0, limit) else (False,):
                sql, params = self._others(0, limit, probed)
                found = self._read(
                    dialect.union_all(self.conn, named, sql), [self.exact, limit, *params]
                )
                others = [row for row in found if row[-1] != self.exact]
                if not probed or len(others) == limit:
                    break
            exact = sorted(row for row in found if row[-1] == self.exact)
            return (exact + others)[:limit]
        first = self._read(named, [self.exact, skip + limit])
        if len(first) >= skip + limit:
            return first[skip:]
        head = first[skip:]
        return head + self._others_read(max(skip - len(first), 0), limit - len(head))

    def _probes(self, skip: int, limit: int) -> bool:
        return self.probe and (skip + limit) * PROBE_SHARE <= PROBE_ROWS

    def _others_read(self, skip: int, limit: int) -> list[Any]:
        """``limit`` matches not named exactly, from the ``skip``-th: the probe's, when it
        holds them all; else the full statement's."""
        if self._probes(skip, limit):
            found = self._read(*self._others(skip, limit, probed=True))
            if len(found) == limit:
                return found
        return self._read(*self._others(skip, limit))

    def _others(self, skip: int, limit: int, probed: bool = False) -> tuple[str, list[Any]]:
        """The statement of ``limit`` matches not named exactly, from the ``skip``-th, by id;
        ``probed``: among the first ``PROBE_ROWS`` subjects only."""
        m = self.m
        other = f" AND name_norm <> {m}" if self.exact is not None else ""
        table = (
            f"(SELECT {_COLUMNS} FROM subjects ORDER BY id LIMIT {PROBE_ROWS:d}) AS subjects"
            if probed
            else "subjects"
        )
        sql = (
            f"SELECT {_COLUMNS} FROM {table} WHERE {self.condition}{other} "
            f"ORDER BY id LIMIT {m} OFFSET {m}"
        )
        extra = [self.exact] if self.exact is not None else []
        return sql, [*self.params, *extra, limit, skip]

    def count(self, cap: int) -> int:
        """How many subjects match, counted up to ``cap``."""
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM subjects WHERE {self.condition} LIMIT {self.m}) c"
        )
        return int(self._read(sql, [*self.params, cap])[0][0])

    def _read(self, sql: str, params: list[Any]) -> list[Any]:
        return dialect.driver_rows(self.conn, sql, params)


# SQLite's FTS5 trigram table, read alone (its rowids are the subjects' ids, in order): a
# window of the matches straight from the index, those named exactly left out when asked
_FTS = f"SELECT rowid FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH ?"
_OTHERS = " AND rowid NOT IN (SELECT id FROM subjects WHERE name_norm = ?)"


class _Fts(_Source):
    """Matches of every phrase in SQLite's FTS5 trigram table."""

    def __init__(self, conn: sa.Connection, phrases: str, exact: str | None) -> None:
        super().__init__(conn, f"id IN ({_FTS})", [phrases], exact)

    def _others(self, skip: int, limit: int, probed: bool = False) -> tuple[str, list[Any]]:
        other, extra = (_OTHERS, [self.exact]) if self.exact is not None else ("", [])
        sql = (
            f"SELECT {_COLUMNS} FROM subjects WHERE id IN ({_FTS}{other} "
            "ORDER BY rowid LIMIT ? OFFSET ?) ORDER BY id"
        )
        return sql, [*self.params, *extra, limit, skip]

    def count(self, cap: int) -> int:
        return int(self._read(f"SELECT count(*) FROM ({_FTS} LIMIT ?)", [*self.params, cap])[0][0])


def _public(row: Any) -> Hit:
    """A matching row as the public sees it: the operator's name masked, and the name of a
    个体工商户 named after its operator masked like it."""
    id_, code, reg_no, name, entity_type, region, rep, status = row[:8]
    return Hit(
        id_, code, reg_no, mask_subject_name(name, entity_type, [rep]), entity_type, region,
        mask_person_name(rep) if rep else rep, status,
    )  # fmt: skip
