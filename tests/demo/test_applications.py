"""The demo's objections and repairs: several states, filed and decided through the services."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import records
from gongxin.db.workflow_tables import applications
from gongxin.demo import applications as demo_applications
from gongxin.demo import generate, load
from gongxin.workflows import backoffice
from gongxin.workflows.deadlines import jurisdiction
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_demo_objections_and_repairs_in_several_states(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=100, seed=2, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    made = demo_applications.run(engine, catalog, now=AS_OF, rules=jurisdiction(),
                                 var_dir=tmp_path / "var")  # fmt: skip
    assert made == ["repair:granted", "repair:refused", "repair:received", "repair:received",
                    "objection:received", "objection:upheld", "repair:returned",
                    "objection:extended", "objection:withdrawn"]  # fmt: skip
    assert demo_applications.run(engine, catalog, now=AS_OF, rules=jurisdiction(),
                                 var_dir=tmp_path / "var") == []  # fmt: skip
    with engine.connect() as conn:
        states = dict(conn.execute(
            sa.select(records.c.status, sa.func.count()).join(
                applications, applications.c.record_id == records.c.id
            ).group_by(records.c.status)
        ).all())  # fmt: skip
        queue = backoffice.queue(conn, department_id=None, as_of=AS_OF_DATE)
    assert states == {"repaired": 1, "in_force": 5, "objection": 2, "withdrawn": 1}
    assert len(queue) == 4 and sum(w.overdue for w in queue) == 1
    assert [w.extended for w in queue if w.extended] == [15]
