"""A subject's credit overview (信用概况), the first thing its public page shows: the lists it
is on today, its penalties in force, its commitments and the objections pending against its
records. Counted in SQL on the decisions stored with each record (records/decisions.py), so
the overview says exactly what the tabs below it list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records
from gongxin.records.decisions import in_force_now, public_now
from gongxin.sanctions.lists import list_types


@dataclass(frozen=True)
class OnList:
    code: str
    name: str
    kind: str  # punish | reward
    entries: int


@dataclass(frozen=True)
class Overview:
    lists: list[OnList]
    penalties_in_force: int
    penalties_public: int
    commitments: int
    objections: int  # public records with an objection pending (异议处理中)

    @property
    def punished(self) -> list[OnList]:
        return [x for x in self.lists if x.kind == "punish"]

    @property
    def rewarded(self) -> list[OnList]:
        return [x for x in self.lists if x.kind == "reward"]


def overview(conn: sa.Connection, catalog: Catalog, subject_id: int, *, as_of: date) -> Overview:
    """What the public may see of the subject on ``as_of``, summed up."""
    mine = sa.and_(records.c.subject_id == subject_id, public_now(as_of))
    force = in_force_now(as_of)
    rows = conn.execute(
        sa.select(
            records.c.dataset,
            sa.func.count(),
            sa.func.sum(sa.case((force, 1), else_=0)),
            sa.func.sum(sa.case((records.c.status == "objection", 1), else_=0)),
        )
        .where(mine, records.c.dataset.in_(catalog.codes()))
        .group_by(records.c.dataset)
    ).all()
    public = {str(d): int(n) for d, n, _f, _o in rows}
    in_force = {str(d): int(f or 0) for d, _n, f, _o in rows}
    objections = sum(int(o or 0) for _d, _n, _f, o in rows)
    on: list[OnList] = []
    for t in list_types(catalog).values():
        if t.derived or not in_force.get(t.dataset):
            continue
        on.append(OnList(t.code, t.name, t.kind, in_force[t.dataset]))
    return Overview(
        lists=on,
        penalties_in_force=in_force.get("penalty", 0),
        penalties_public=public.get("penalty", 0),
        commitments=public.get("commitment", 0),
        objections=objections,
    )
