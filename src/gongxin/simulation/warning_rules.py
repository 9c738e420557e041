"""Simulating a change of the warning rules (预警规则).

The candidate rule file is read and checked against the catalog (``rules.load_rules``: a
malformed file is refused before anything runs). One snapshot of the store is taken; the rules
in force and the candidate are both run over it by the warning run's own finder
(``supervision.warnings.find``) on the chosen engine; nothing is stored. Findings are compared
by rule id and subject: warnings that would be raised, and warnings that would no longer be.
The rules in force report no change.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from gongxin.analytics import engines, snapshot
from gongxin.catalog.registry import Catalog
from gongxin.db.models import subjects
from gongxin.simulation.engine import running_on
from gongxin.simulation.report import Example, Simulation, digest_of
from gongxin.supervision import warnings
from gongxin.supervision.rules import load_rules

LABELS: dict[str, tuple[str, str]] = {
    "raised": ("新增预警", "warnings that would be raised"),
    "cleared": ("不再预警", "warnings that would no longer be raised"),
}


def simulate(
    store: sa.Engine,
    catalog: Catalog,
    path: Path,
    *,
    as_of: date,
    now: datetime,
    engine: str | engines.Engine = "duckdb",
    rules_in_force: Path | None = None,
    master: str = "local[*]",
) -> Simulation:
    """What the warning rules in ``path`` would raise or clear against the rules in force."""
    candidate = load_rules(catalog, path)  # refused here, before any snapshot or job
    current = load_rules(catalog, rules_in_force)
    with running_on(engine, master) as (runner, folder):
        sim = Simulation("warnings", str(path), digest_of(path), as_of, runner.name, labels=LABELS)
        taken = snapshot.take(store, folder, tables=warnings.TABLES, now=now)
        old = {(f.rule.id, f.subject_id): f for f in warnings.find(current, taken, runner, as_of)}
        new = {(f.rule.id, f.subject_id): f for f in warnings.find(candidate, taken, runner, as_of)}
    sim.looked = len(old.keys() | new.keys())
    raised = sorted(new.keys() - old.keys())
    cleared = sorted(old.keys() - new.keys())
    wanted = {sid for _, sid in [*raised[:50], *cleared[:50]]}
    with store.connect() as conn:
        names = dict(
            conn.execute(
                sa.select(subjects.c.id, sa.func.coalesce(subjects.c.name, subjects.c.uscc))
                .where(subjects.c.id.in_(sorted(wanted)))
            ).all()
        )  # fmt: skip
    for change, keys, found in (("raised", raised, new), ("cleared", cleared, old)):
        for key in keys:
            rule = found[key].rule
            who = str(names.get(key[1]) or key[1])
            before, after = ("未预警", "预警") if change == "raised" else ("预警", "未预警")
            sim.count(change, Example(change, who, f"{rule.id}（{rule.title}）", before, after))
    return sim
