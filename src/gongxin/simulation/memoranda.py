"""Simulating a change of the memoranda and their measures (联合奖惩备忘录).

The candidate file is parsed and checked against the catalog (``memoranda.parse``: a malformed
file is refused naming every problem, before anything runs). Its memoranda replace those of the
same id in the book in force, or join it, as ``gongxin memoranda load`` would. Then every
subject on a list that applies on the day is checked in every scene with both books, by the
credit check's own entries (``sanctions.snapshot``) and index of measures (``Book``): the
(subject, scene) pairs whose measures would be added, removed or reworded. Nothing is loaded.
The book in force reports no change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput
from gongxin.sanctions import memoranda, scenes
from gongxin.sanctions import snapshot as entries
from gongxin.sanctions.memoranda import Book, Measure
from gongxin.simulation.report import EXAMPLES, Example, Simulation, digest_of

LABELS: dict[str, tuple[str, str]] = {
    # counted per check: one subject on the lists in one scene
    "added": ("核查新增措施", "checks (subject × scene) that would name a new measure"),
    "removed": ("核查减少措施", "checks (subject × scene) that would lose a measure"),
    "reworded": ("措施内容变化", "checks (subject × scene) whose measure would read differently"),
}


def read(path: Path, catalog: Catalog) -> list[memoranda.Memorandum]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"无法读取备忘录文件 {path}：{exc}", f"cannot read memoranda file {path}: {exc}"
        ) from None
    return memoranda.parse(text, str(path), catalog)


def _measures(book: Book, combos: list[tuple[str, str]], scene: str) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for list_type, kind in combos:
        for m in book.measures_for(list_type, scene, kind):
            out.setdefault(m.id, m)
    return out


def _words(m: Measure) -> tuple[object, ...]:
    return (m.text, m.kind, m.department, m.legal_basis, m.mandatory)


def simulate(store: sa.Engine, catalog: Catalog, path: Path, *, as_of: date) -> Simulation:
    """What the memoranda in ``path`` would change in the credit checks of ``as_of``."""
    candidate = read(path, catalog)  # refused here, before anything runs
    sim = Simulation("memoranda", str(path), digest_of(path), as_of, "duckdb", labels=LABELS)
    with store.connect() as conn:
        book = memoranda.book(conn, catalog)
        taken, _ = entries.current(conn, catalog, as_of)
    merged = {m.id: m for m in book.memoranda}
    merged.update({m.id: m for m in candidate})
    proposed = Book(tuple(merged.values()))
    cur = taken.db.cursor()
    try:  # subjects on the same lists have the same measures: judged once per combination
        rows = cur.execute(
            "WITH s AS (SELECT coalesce(subject_name, name, '—') AS who, list(DISTINCT"
            " list_type || chr(9) || kind ORDER BY list_type || chr(9) || kind) AS combos"
            " FROM entries GROUP BY 1)"
            " SELECT combos, count(*), list(who ORDER BY who)[1:5] FROM s GROUP BY combos"
            " ORDER BY combos"
        ).fetchall()
    finally:
        cur.close()
    all_scenes = scenes.scenes()
    for combos, n, names in rows:
        sim.looked += int(n)
        typed = [(lt, kind) for lt, kind in (c.split("\t", 1) for c in combos)]
        lists = "、".join(sorted({lt for lt, _ in typed}))
        for scene in all_scenes:
            old = _measures(book, typed, scene.code)
            new = _measures(proposed, typed, scene.code)
            found: dict[str, tuple[str, str]] = {}
            if added := sorted(new.keys() - old.keys()):
                found["added"] = ("—", "；".join(f"{m} {new[m].text}" for m in added))
            if removed := sorted(old.keys() - new.keys()):
                found["removed"] = ("；".join(f"{m} {old[m].text}" for m in removed), "—")
            if reworded := [
                m for m in sorted(old.keys() & new.keys()) if _words(old[m]) != _words(new[m])
            ]:
                found["reworded"] = (
                    "；".join(old[m].text for m in reworded),
                    "；".join(new[m].text for m in reworded),
                )
            for change, (before, after) in found.items():
                what = f"{scene.name}（{lists}）"
                sim.count(change, n=int(n))
                for who in names:
                    if sum(e.change == change for e in sim.examples) < EXAMPLES:
                        sim.examples.append(Example(change, str(who), what, before, after))
    return sim
