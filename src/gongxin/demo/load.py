"""Loading the demo files: the demo departments, then every file through intake."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.demo.agencies import DEPARTMENTS
from gongxin.demo.generate import DemoFile
from gongxin.identity import departments
from gongxin.intake.pipeline import Summary, ingest


def ensure_departments(conn: sa.Connection, now: datetime) -> int:
    """Register the demo departments that are missing; returns how many were added."""
    existing = {d.name for d in departments.all_departments(conn)}
    added = 0
    for dept in DEPARTMENTS:
        if dept.name not in existing:
            departments.add(conn, dept.name, kind=dept.kind, code=dept.agency.code, now=now)
            added += 1
    return added


def load(
    engine: sa.Engine,
    catalog: Catalog,
    files: Sequence[DemoFile],
    *,
    as_of: datetime,
    on_file: Callable[[DemoFile], None] | None = None,
) -> list[Summary]:
    """Create the demo departments if missing, then ingest each file with its provider,
    registration files first (so records can link to the subjects they create)."""
    with engine.begin() as conn:
        ensure_departments(conn, as_of)
    ordered = sorted(files, key=lambda f: catalog.get(f.dataset).subject_role != "registration")
    summaries = []
    for f in ordered:
        if on_file is not None:
            on_file(f)
        summaries.append(
            ingest(engine, catalog, f.path, dataset=f.dataset, provider=f.provider, as_of=as_of)
        )
    return summaries
