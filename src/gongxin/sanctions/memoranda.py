"""Memoranda (合作备忘录) and their measures (措施), as data.

The packaged starter set (``data/memoranda.yaml``) is always present; ``gongxin memoranda load
FILE`` stores more in the ``memoranda`` table, versioned by id: loading an id again adds a
version and marks the previous one superseded (a loaded id may also replace a packaged one).
Files are validated strictly: every problem names the file, the memorandum, the measure, the
field and the value. Measure ids are ``<memorandum id>-<n>`` (n from 1, in file order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.sanctions_tables import memoranda as table
from gongxin.errors import InvalidInput
from gongxin.sanctions import scenes
from gongxin.sanctions.lists import KIND_NAMES, list_types

PACKAGED = "gongxin/sanctions/data/memoranda.yaml"


class _MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    kind: str
    scenes: list[str] = Field(min_length=1)
    department: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    mandatory: bool = True
    note: str = ""


class _MemorandumIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,60}$")
    title: str = Field(min_length=1)
    doc_no: str = ""
    issued_on: date | None = None
    issuers: list[str] = Field(min_length=1)
    list_types: list[str] = Field(min_length=1)
    note: str = ""
    measures: list[_MeasureIn] = Field(min_length=1)


class _FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    memoranda: list[_MemorandumIn] = Field(min_length=1)


@dataclass(frozen=True)
class Measure:
    id: str  # <memorandum id>-<n>
    memorandum_id: str
    memorandum_title: str
    doc_no: str
    text: str
    kind: str  # punish | reward
    scenes: tuple[str, ...]  # scene codes
    department: str
    legal_basis: str
    mandatory: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "text": self.text, "kind": self.kind,
            "scenes": [scenes.by_code(s).name for s in self.scenes],
            "department": self.department, "legal_basis": self.legal_basis,
            "mandatory": self.mandatory, "memorandum": self.memorandum_id,
            "memorandum_title": self.memorandum_title, "doc_no": self.doc_no,
        }  # fmt: skip


@dataclass(frozen=True)
class Memorandum:
    id: str
    title: str
    doc_no: str
    issued_on: date | None
    issuers: tuple[str, ...]
    list_types: tuple[str, ...]
    note: str
    measures: tuple[Measure, ...]
    source: str  # the packaged file, or the file it was loaded from
    version: int = 0  # 0: packaged

    @property
    def kind(self) -> str:
        kinds = {m.kind for m in self.measures}
        return kinds.pop() if len(kinds) == 1 else "both"


def _where(origin: str, loc: Sequence[Any], raw: dict[str, Any]) -> str:
    """'file, memorandum X, measure n, field f' for a pydantic error location."""
    parts = [origin]
    memos = raw.get("memoranda") if isinstance(raw, dict) else None
    if len(loc) >= 2 and loc[0] == "memoranda" and isinstance(loc[1], int):
        memo = memos[loc[1]] if isinstance(memos, list) and loc[1] < len(memos) else None
        mid = memo.get("id") if isinstance(memo, dict) else None
        parts.append(f"备忘录 memorandum {mid or '#' + str(loc[1] + 1)}")
        rest = list(loc[2:])
        if len(rest) >= 2 and rest[0] == "measures" and isinstance(rest[1], int):
            parts.append(f"措施 measure {rest[1] + 1}")
            rest = rest[2:]
        if rest:
            parts.append(f"字段 field {'.'.join(str(x) for x in rest)}")
    elif loc:
        parts.append(f"字段 field {'.'.join(str(x) for x in loc)}")
    return ", ".join(parts)


def _invalid(origin: str, problems: list[str]) -> InvalidInput:
    return InvalidInput(
        f"备忘录文件有误：{origin}：" + "；".join(problems[:20]),
        f"invalid memoranda file {origin}: " + "; ".join(problems[:20]),
        file=origin,
        problems=problems,
    )


def parse(text: str, origin: str, catalog: Catalog) -> list[Memorandum]:
    """The memoranda of a YAML file, or InvalidInput naming every problem found."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _invalid(origin, [f"YAML 格式错误 (not valid YAML): {exc}"]) from None
    try:
        parsed = _FileIn.model_validate(raw)
    except ValidationError as exc:
        errors = [
            f"{_where(origin, e['loc'], raw)}: {e['msg']} (值 value {str(e.get('input'))[:60]!r})"
            for e in exc.errors()
        ]
        raise _invalid(origin, errors) from None
    types = list_types(catalog)
    problems: list[str] = []
    seen: set[str] = set()
    out = []
    for memo in parsed.memoranda:
        here = f"{origin}, 备忘录 memorandum {memo.id}"
        if memo.id in seen:
            problems.append(f"{here}: 重复的备忘录编号 (duplicate id)")
        seen.add(memo.id)
        covered = {types[t].kind for t in memo.list_types if t in types}
        for t in memo.list_types:
            if t not in types:
                problems.append(
                    f"{here}, 字段 field list_types: 未知的名单类型 unknown list type {t!r} "
                    f"(可用 known: {', '.join(types)})"
                )
        measures = []
        for n, m in enumerate(memo.measures, 1):
            at = f"{here}, 措施 measure {n}"
            if m.kind not in KIND_NAMES:
                problems.append(
                    f"{at}, 字段 field kind: 值 value {m.kind!r} 须为 must be punish|reward"
                )
            elif covered and m.kind not in covered:
                problems.append(
                    f"{at}, 字段 field kind: {m.kind!r} 与所涉名单类别不符 "
                    f"(the lists covered are {'/'.join(sorted(covered))})"
                )
            codes = []
            for s in m.scenes:
                found = scenes.lookup(s)
                if found is None:
                    problems.append(
                        f"{at}, 字段 field scenes: 未知的场景 unknown scene {s!r} (可用 valid: "
                        + "、".join(x.name for x in scenes.scenes())
                        + ")"
                    )
                else:
                    codes.append(found.code)
            measures.append(
                Measure(
                    f"{memo.id}-{n}",
                    memo.id,
                    memo.title,
                    memo.doc_no,
                    m.text,
                    m.kind,
                    tuple(dict.fromkeys(codes)),
                    m.department,
                    m.legal_basis,
                    m.mandatory,
                )
            )
        out.append(
            Memorandum(
                memo.id,
                memo.title,
                memo.doc_no,
                memo.issued_on,
                tuple(memo.issuers),
                tuple(memo.list_types),
                memo.note,
                tuple(measures),
                origin,
            )
        )
    if problems:
        raise _invalid(origin, problems)
    return out


@cache
def _packaged_text() -> str:
    return resources.files("gongxin.sanctions").joinpath("data/memoranda.yaml").read_text("utf-8")


def packaged(catalog: Catalog) -> list[Memorandum]:
    return parse(_packaged_text(), PACKAGED, catalog)


# -- the current set: packaged, overridden by loaded ----------------------------------------


@dataclass(frozen=True)
class Book:
    """The memoranda in force and an index of their measures by (list type, scene)."""

    memoranda: tuple[Memorandum, ...]
    _index: dict[tuple[str, str, str], list[Measure]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, str, str], list[Measure]] = {}
        for memo in self.memoranda:
            for m in memo.measures:
                for lt in memo.list_types:
                    for s in m.scenes:
                        index.setdefault((lt, s, m.kind), []).append(m)
        object.__setattr__(self, "_index", index)  # built once: a Book is immutable

    def measures_for(self, list_type: str, scene: str, kind: str) -> list[Measure]:
        return self._index.get((list_type, scene, kind), [])

    def measure(self, measure_id: str) -> Measure | None:
        for memo in self.memoranda:
            for m in memo.measures:
                if m.id == measure_id:
                    return m
        return None


_books: dict[tuple[int, str, tuple[tuple[Any, ...], ...]], Book] = {}


def _stored(row: sa.RowMapping, catalog: Catalog) -> Memorandum:
    memo = parse(
        yaml.safe_dump({"memoranda": [row["data"]]}, allow_unicode=True), row["source"], catalog
    )[0]
    return Memorandum(**{**memo.__dict__, "version": row["version"]})


_CURRENT = (
    sa.select(table.c.id, table.c.version)
    .where(table.c.superseded_at.is_(None))
    .order_by(table.c.id)
)


def book(conn: sa.Connection, catalog: Catalog) -> Book:
    """The memoranda in force: the packaged ones, replaced or joined by the current loaded ones."""
    current = conn.execute(_CURRENT).all()
    # a version is never rewritten: the current (id, version) pairs of a database fix its book
    key = (id(catalog), str(conn.engine.url), tuple(tuple(r) for r in current))
    found = _books.get(key)
    if found is None:
        memos = {m.id: m for m in packaged(catalog)}
        rows = conn.execute(
            sa.select(table).where(table.c.superseded_at.is_(None)).order_by(table.c.id)
        )
        for row in rows.mappings():
            memos[row["id"]] = _stored(row, catalog)
        found = Book(tuple(memos.values()))
        if len(_books) > 16:
            _books.clear()
        _books[key] = found
    return found


@dataclass(frozen=True)
class Loaded:
    id: str
    version: int
    replaced: bool  # a previous version (or the packaged one) was superseded


def load(
    conn: sa.Connection, catalog: Catalog, text: str, origin: str, *, now: datetime, actor: str
) -> list[Loaded]:
    """Store the memoranda of a file (validated first; all or nothing, in the caller's
    transaction), superseding earlier versions of the same ids; audited."""
    memos = parse(text, origin, catalog)
    raw = {m["id"]: m for m in yaml.safe_load(text)["memoranda"]}
    packaged_ids = {m.id for m in packaged(catalog)}
    done = []
    for memo in memos:
        last = conn.execute(
            sa.select(sa.func.max(table.c.version)).where(table.c.id == memo.id)
        ).scalar_one()
        replaced = (
            conn.execute(
                table.update()
                .where(table.c.id == memo.id, table.c.superseded_at.is_(None))
                .values(superseded_at=now)
            ).rowcount
            > 0
            or memo.id in packaged_ids
        )
        version = (last or 0) + 1
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in raw[memo.id].items()}
        conn.execute(
            table.insert().values(
                id=memo.id,
                version=version,
                title=memo.title,
                kind=memo.kind,
                issued_on=memo.issued_on,
                data=data,
                source=origin[:500],
                loaded_at=now,
                loaded_by=actor,
                superseded_at=None,
            )
        )
        audit.record(
            conn, actor=actor, action="sanctions.memorandum.load", target=f"memorandum:{memo.id}",
            now=now, detail={"version": version, "replaced": replaced, "file": origin[:200],
                             "measures": len(memo.measures)},
        )  # fmt: skip
        done.append(Loaded(memo.id, version, replaced))
    return done


def versions(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every stored version, newest first per id, for the operator."""
    query = sa.select(
        table.c.id, table.c.version, table.c.title, table.c.kind, table.c.source,
        table.c.loaded_at, table.c.loaded_by, table.c.superseded_at,
    ).order_by(table.c.id, table.c.version.desc())  # fmt: skip
    return [dict(r) for r in conn.execute(query).mappings()]
