"""Loading the demo files: the demo departments, then every file through intake."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa

from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog
from gongxin.demo import lists
from gongxin.demo.agencies import DEPARTMENTS
from gongxin.demo.generate import PLANS, DemoFile
from gongxin.demo.regions import REGIONS
from gongxin.identity import authorities, departments
from gongxin.intake.pipeline import Summary, ingest

ACTOR = "cli"


def ensure_departments(conn: sa.Connection, now: datetime) -> int:
    """Register the demo departments that are missing; returns how many were added."""
    existing = {d.name for d in departments.all_departments(conn)}
    added = 0
    for dept in DEPARTMENTS:
        if dept.name not in existing:
            departments.add(conn, dept.name, kind=dept.kind, code=dept.agency.code, now=now)
            added += 1
    return added


def filing_authorities() -> dict[str, set[str]]:
    """The authorities each demo department files records for: those its plans decide by."""
    out: dict[str, set[str]] = {}
    for plan in PLANS:
        names = out.setdefault(plan.provider, set())
        names.update(plan.authority(r).name for r in REGIONS)
        names.update(a.name for a in lists.OWN_AUTHORITIES.get(plan.builder, ()))
    return out


def ensure_assignments(conn: sa.Connection, catalog: Catalog, now: datetime) -> None:
    """What the credit centre sets up before departments submit, for the registered demo
    departments: the authorities each may file for, and the providers of the datasets they
    submit (the provider departments, not the centre). Idempotent."""
    registered = {d.name: d for d in departments.all_departments(conn)}
    for name, names in filing_authorities().items():
        if name in registered:
            authorities.add(conn, name, sorted(names), now=now, actor=ACTOR)
    for plan in PLANS:
        dept = registered.get(plan.provider)
        if dept is None or dept.kind == "centre" or plan.dataset not in catalog:
            continue
        if all(p.id != dept.id for p in providers.providers_of(conn, plan.dataset)):
            providers.assign(conn, catalog, plan.dataset, dept.name, now=now, actor=ACTOR)


def load(
    engine: sa.Engine,
    catalog: Catalog,
    files: Sequence[DemoFile],
    *,
    as_of: datetime,
    on_file: Callable[[DemoFile], None] | None = None,
) -> list[Summary]:
    """Create the demo departments if missing, then ingest each file with its provider,
    registration files first (so records can link to the subjects they create), then the
    others in the order departments submitted them: each at its own time (never after
    ``as_of``), the historical back-loads marked as such (存量补录)."""
    first = min((f.received_at for f in files if f.received_at), default=as_of)
    setup = min(first, as_of)
    with engine.begin() as conn:
        ensure_departments(conn, setup)
        ensure_assignments(conn, catalog, setup)

    def when(f: DemoFile) -> datetime:
        return min(f.received_at or as_of, as_of)

    ordered = sorted(
        files, key=lambda f: (catalog.get(f.dataset).subject_role != "registration", when(f))
    )
    summaries = []
    for f in ordered:
        if on_file is not None:
            on_file(f)
        summaries.append(
            ingest(engine, catalog, f.path, dataset=f.dataset, provider=f.provider,
                   as_of=when(f), backload=f.backload)
        )  # fmt: skip
    return summaries
