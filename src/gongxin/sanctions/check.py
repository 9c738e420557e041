"""The credit check (信用核查): which lists each subject is on, on a date, and which measures and
rewards the memoranda attach to them in the caller's scene.

One result per item, in order; a malformed item gets an error and does not fail the others.
Entries are read as a department sees them (the gate's DEPARTMENT audience) and judged on
``as_of`` by the gate's listing window. Every check is logged (``sanctions.log``) and audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import records, waiting_on_code
from gongxin.errors import InvalidInput, TooLarge
from gongxin.sanctions import log, scenes
from gongxin.sanctions.lists import Entry, ListType, applies, entry_of, list_types
from gongxin.sanctions.match import MATCH_NAMES, Item, read, resolve
from gongxin.sanctions.memoranda import Book, book
from gongxin.subjects.grades import current_grades, grade_sentence

DEFAULT_MAX_SUBJECTS = 100_000


@dataclass(frozen=True)
class Request:
    subjects: Sequence[Any]
    scene: str
    requester: str
    purpose: str
    as_of: date


@dataclass(frozen=True)
class Check:
    id: str
    scene: scenes.Scene
    as_of: date
    results: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.id, "scene": self.scene.name, "scene_code": self.scene.code,
            "as_of": self.as_of.isoformat(), "results": self.results,
        }  # fmt: skip


def new_id(now: datetime) -> str:
    """A readable unique check id: HC + date + 10 random hex digits."""
    return f"HC{now.strftime('%Y%m%d')}-{secrets.token_hex(5).upper()}"


def validate(req: Request, max_subjects: int) -> scenes.Scene:
    """The request's scene; a 400 for missing fields or an unknown scene, 413 when too large."""
    scene = scenes.resolve(req.scene)
    for name, zh, value in (
        ("requester", "核查人", req.requester),
        ("purpose", "用途", req.purpose),
    ):
        if not value.strip():
            raise InvalidInput(f"请填写{zh}（{name}）", f"{name} is required", field=name)
    if not req.subjects:
        raise InvalidInput(
            "请提供至少一个主体（subjects）", "give at least one subject", field="subjects"
        )
    if len(req.subjects) > max_subjects:
        raise TooLarge(
            f"一次最多核查 {max_subjects:,} 个主体，本次 {len(req.subjects):,} 个；请分批提交",
            f"at most {max_subjects:,} subjects per check, got {len(req.subjects):,}; split it",
            limit=max_subjects, given=len(req.subjects),
        )  # fmt: skip
    return scene


def _datasets(types: dict[str, ListType]) -> dict[str, list[ListType]]:
    out: dict[str, list[ListType]] = {}
    for lt in types.values():
        out.setdefault(lt.dataset, []).append(lt)
    return out


_BY_SUBJECT = sa.select(
    records.c.subject_id, records.c.dataset, records.c.id, records.c.data, records.c.updated_at
).where(
    records.c.subject_id.in_(sa.bindparam("ids", expanding=True)),
    records.c.dataset.in_(sa.bindparam("datasets", expanding=True)),
)
_BY_CODE = sa.select(
    waiting_on_code, records.c.dataset, records.c.id, records.c.data, records.c.updated_at,
    records.c.link_kind, records.c.link_code,
).where(
    records.c.subject_id.is_(None),
    waiting_on_code.in_(sa.bindparam("keys", expanding=True)),
    records.c.dataset.in_(sa.bindparam("datasets", expanding=True)),
)  # fmt: skip


def find_entries(conn: sa.Connection, catalog: Catalog, items: Sequence[Item], as_of: date) -> None:
    """Attach to each item the list entries that apply to its subject on ``as_of`` (in place)."""
    types = list_types(catalog)
    by_dataset = _datasets(types)
    names = sorted(by_dataset)
    by_subject: dict[int, list[Item]] = {}
    by_code: dict[str, list[Item]] = {}
    for it in items:
        if it.error is None and it.subject_id is not None:
            by_subject.setdefault(it.subject_id, []).append(it)
        elif it.error is None and it.code:
            key = it.code[8:17] if it.code_kind == "uscc" else it.code
            by_code.setdefault(key, []).append(it)
    found: list[tuple[list[Item], str, int, dict[str, Any], datetime]] = []
    for ids in dialect.chunked(sorted(by_subject)):
        params = {"ids": list(ids), "datasets": names}
        for sid, ds, rid, data, changed in conn.execute(_BY_SUBJECT, params):
            found.append((by_subject[sid], ds, rid, data, changed))
    for keys in dialect.chunked(sorted(by_code)):
        for row in conn.execute(_BY_CODE, {"keys": list(keys), "datasets": names}):
            key, ds, rid, data, changed = row[0], row[1], row[2], row[3], row[4]
            lkind: str | None = row[5]
            lcode: str | None = row[6]
            its = [
                it for it in by_code[key]
                if lcode == it.code or (lkind == "org_code" and lcode == key)
            ]  # fmt: skip
            if its:
                found.append((its, ds, rid, data, changed))
    for its, ds, rid, data, changed in found:
        for lt in by_dataset[ds]:
            if applies(lt, data, changed, as_of):
                entry = entry_of(lt, rid, data, changed)
                for it in its:
                    it.hits.append(entry)
    order = {code: n for n, code in enumerate(types)}  # list type, then record: as the bulk
    for it in items:  # check numbers its entries (sanctions.snapshot), whatever the store's order
        it.hits.sort(key=lambda e: (order[e.list_type], e.record_id))


def measures_of(hits: Sequence[Entry], scene: str, measures: Book) -> list[dict[str, Any]]:
    """The measures (and rewards) the memoranda attach to these entries in ``scene``, once each,
    with the lists that triggered them."""
    out: dict[str, dict[str, Any]] = {}
    for e in hits:
        for m in measures.measures_for(e.list_type, scene, e.kind):
            got = out.get(m.id)
            if got is None:
                out[m.id] = got = {**m.to_dict(), "scene": scenes.by_code(scene).name, "lists": []}
            if e.list_type not in got["lists"]:
                got["lists"].append(e.list_type)
    return list(out.values())


def explain(it: Item, scene: scenes.Scene, as_of: date, measures: list[dict[str, Any]]) -> str:
    who = it.subject_name or it.subject_code or it.query
    how = MATCH_NAMES[it.match][0]
    if not it.hits:
        return (
            f"{who}（按{how}匹配）截至 {as_of.isoformat()} 未列入联合奖惩名单，"
            f"在“{scene.name}”场景无须采取惩戒或激励措施。"
        )
    lists = "、".join(
        f"“{e.list_name}”（{e.authority or '认定机关未载明'}，{e.listed_on or '日期不详'} 列入）"
        for e in it.hits
    )
    punish = sum(1 for m in measures if m["kind"] == "punish")
    reward = len(measures) - punish
    parts = []
    if punish:
        parts.append(f"应采取 {punish} 项惩戒措施")
    if reward:
        parts.append(f"可给予 {reward} 项激励措施")
    todo = "，".join(parts) if parts else "无备忘录规定的措施"
    return f"{who}（按{how}匹配）截至 {as_of.isoformat()} 列入{lists}；在“{scene.name}”场景{todo}。"


def result_of(
    it: Item,
    scene: scenes.Scene,
    as_of: date,
    measures: Book,
    grades: dict[int, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    base: dict[str, Any] = {"position": it.position, "query": it.query}
    if it.error is not None:
        return base | {"error": it.error}
    found = measures_of(it.hits, scene.code, measures)
    graded = (grades or {}).get(it.subject_id, []) if it.subject_id is not None else []
    return base | {
        "subject": {
            "code": it.subject_code, "name": it.subject_name,
            "registered": it.subject_id is not None,
        },
        "match": it.match, "match_zh": MATCH_NAMES[it.match][0], "confidence": it.confidence,
        "hits": [e.to_dict() for e in it.hits],
        "measures": [m for m in found if m["kind"] == "punish"],
        "rewards": [m for m in found if m["kind"] == "reward"],
        "explanation": explain(it, scene, as_of, found) + grade_sentence(graded),
        **({"grades": graded} if graded else {}),
    }  # fmt: skip


def evaluate(
    conn: sa.Connection,
    catalog: Catalog,
    req: Request,
    *,
    now: datetime,
    max_subjects: int = DEFAULT_MAX_SUBJECTS,
    grade_models: Sequence[str] = (),
) -> tuple[Check, list[Item]]:
    """Check every subject of ``req`` (reads only); ``record`` logs the answer. With
    ``grade_models``, a registered subject's current grade in each is added to its answer and
    its explanation."""
    scene = validate(req, max_subjects)
    items = [read(n, raw) for n, raw in enumerate(req.subjects)]
    resolve(conn, items)
    find_entries(conn, catalog, items, req.as_of)
    measures = book(conn, catalog)
    grades = (
        current_grades(conn, [it.subject_id for it in items if it.subject_id], grade_models)
        if grade_models
        else {}
    )
    results = [result_of(it, scene, req.as_of, measures, grades) for it in items]
    return Check(new_id(now), scene, req.as_of, results), items


def record(
    conn: sa.Connection,
    check: Check,
    items: list[Item],
    req: Request,
    *,
    now: datetime,
    actor: str,
    department_id: int | None,
) -> None:
    """Log an evaluated check (and audit it) in the caller's transaction."""
    log.write(
        conn, check.id, items, check.results, scene=check.scene.code, as_of=req.as_of, now=now,
        actor=actor, department_id=department_id, requester=req.requester, purpose=req.purpose,
    )  # fmt: skip


def run(
    conn: sa.Connection,
    catalog: Catalog,
    req: Request,
    *,
    now: datetime,
    actor: str,
    department_id: int | None,
    max_subjects: int = DEFAULT_MAX_SUBJECTS,
) -> Check:
    """Check every subject of ``req`` and log the check, in the caller's transaction."""
    check, items = evaluate(conn, catalog, req, now=now, max_subjects=max_subjects)
    record(conn, check, items, req, now=now, actor=actor, department_id=department_id)
    return check
