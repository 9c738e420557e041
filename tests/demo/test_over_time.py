"""The demo's licences and penalties arrive as departments submit them: history as one back-load
(存量补录), then weekly batches a few working days after the decisions, some late, so that the
双公示 timeliness figures mean something on first start. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import submissions
from gongxin.demo import generate, load
from gongxin.records.timeliness import report
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_demo_submissions_spread_over_time_with_late_and_back_loaded_ones(
    engine: sa.Engine, tmp_path: Path
) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=200, seed=3, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(submissions.c.dataset, submissions.c.received_at, submissions.c.backload)
            .where(submissions.c.dataset.in_(("penalty", "licence")))
        ).all()  # fmt: skip
    received = [r.received_at.replace(tzinfo=r.received_at.tzinfo or UTC) for r in rows]
    days = {at.date() for at in received}
    assert len(days) >= 10  # weekly batches over four months, not one day
    assert all(at <= AS_OF for at in received)  # nothing arrives after the load
    assert {r.dataset for r in rows if r.backload} == {"penalty", "licence"}  # history marked
    figures = report(engine, as_of=AS_OF_DATE, now=AS_OF, since=None, until=None)
    on_time = sum(t.on_time for t in figures.departments)
    late = sum(t.late for t in figures.departments)
    exempt = sum(t.exempt for t in figures.departments)
    assert on_time > late > 0  # most on time, some late: a figure worth publishing
    assert exempt > on_time  # the back-load is most of the history and is not judged
    recent = report(
        engine, as_of=AS_OF_DATE, now=AS_OF, since=AS_OF_DATE - timedelta(days=60),
        until=AS_OF_DATE, refresh=True,
    )  # fmt: skip
    assert all(t.exempt == 0 for t in recent.departments)  # recent decisions are all judged
