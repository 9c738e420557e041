"""Running a simulation of one kind of rule change, and keeping its report.

``run`` sends a proposal to its simulator (regimes, model, warnings, memoranda) with the
deployment's rules in force to compare against; ``save`` keeps the report (audited) so that
the back office, the API and ``gongxin simulate list/show`` read it later, side by side with
other proposals. Nothing else is written: a simulation never changes a record, a grade, a
warning or a measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.analytics.engines import Engine
from gongxin.catalog.registry import Catalog
from gongxin.db.simulation_tables import simulations
from gongxin.errors import InvalidInput, NotFound
from gongxin.settings import Settings
from gongxin.simulation import memoranda, models, regimes, warning_rules
from gongxin.simulation.report import KINDS, Simulation

AUDIT_ACTION = "simulation.save"
PAGE = 50


def run(
    store: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    kind: str,
    path: Path,
    *,
    as_of: date,
    now: datetime,
    engine: str | Engine | None = None,
) -> Simulation:
    """Simulate the proposal in ``path`` (a folder for regimes, else one file) on ``as_of``."""
    if kind not in KINDS:
        raise InvalidInput(
            f"未知的仿真类型“{kind[:40]}”，可选：{'、'.join(KINDS)}",
            f"unknown simulation kind {kind[:40]!r}; choose from {', '.join(KINDS)}",
            field="kind",
        )
    if not path.exists():
        raise InvalidInput(f"文件或目录不存在：{path}", f"no such file or folder: {path}")
    if kind != "regimes" and not path.is_file():
        raise InvalidInput(f"须为单个文件：{path}", f"{kind} takes one YAML file: {path}")
    chosen = engine or settings.analytics_engine
    master = settings.spark_master
    if kind == "regimes":
        return regimes.simulate(store, catalog, path, as_of=as_of)
    if kind == "model":
        return models.simulate(
            store, catalog, path, as_of=as_of, now=now, engine=chosen,
            models_dir=settings.models_dir, master=master,
        )  # fmt: skip
    if kind == "warnings":
        return warning_rules.simulate(
            store, catalog, path, as_of=as_of, now=now, engine=chosen,
            rules_in_force=settings.warning_rules, master=master,
        )  # fmt: skip
    return memoranda.simulate(store, catalog, path, as_of=as_of)


def save(conn: sa.Connection, sim: Simulation, *, label: str, actor: str, now: datetime) -> int:
    """Keep ``sim``'s report under ``label``; audited. Returns its id."""
    label = label.strip()[:200] or f"{KINDS[sim.kind][0]} {now:%Y-%m-%d %H:%M}"
    report = sim.to_dict()
    new_id = conn.scalar(
        simulations.insert().returning(simulations.c.id).values(
            kind=sim.kind, label=label, source=sim.source, digest=sim.digest, as_of=sim.as_of,
            engine=sim.engine, looked=sim.looked, changed=sim.changed, report=report,
            created_at=now, created_by=actor,
        )
    )  # fmt: skip
    from gongxin.audit import log as audit

    audit.record(
        conn, actor=actor, action=AUDIT_ACTION, target=f"simulation:{new_id}", now=now,
        detail={"kind": sim.kind, "label": label, "digest": sim.digest, "changed": sim.changed},
    )  # fmt: skip
    return int(new_id or 0)


@dataclass(frozen=True)
class Saved:
    id: int
    kind: str
    label: str
    source: str
    digest: str
    as_of: date
    engine: str
    looked: int
    changed: int
    created_at: datetime
    created_by: str
    report: dict[str, Any]


def _saved(row: Any) -> Saved:
    return Saved(
        id=int(row.id), kind=row.kind, label=row.label, source=row.source, digest=row.digest,
        as_of=row.as_of, engine=row.engine, looked=int(row.looked), changed=int(row.changed),
        created_at=row.created_at, created_by=row.created_by, report=dict(row.report),
    )  # fmt: skip


def listing(conn: sa.Connection, *, kind: str | None = None, page: int = 1) -> list[Saved]:
    """Saved simulations, newest first, ``PAGE`` a page."""
    query = sa.select(simulations).order_by(simulations.c.id.desc())
    if kind:
        query = query.where(simulations.c.kind == kind)
    rows = conn.execute(query.limit(PAGE).offset((page - 1) * PAGE)).all()
    return [_saved(r) for r in rows]


def get(conn: sa.Connection, simulation_id: int) -> Saved:
    row = conn.execute(sa.select(simulations).where(simulations.c.id == simulation_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {simulation_id} 的仿真", f"no simulation {simulation_id}")
    return _saved(row)
