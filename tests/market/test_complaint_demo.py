"""The demo complaints: every state is there, the records are public with the replies beside
them, the month's report has a curve and a warning, and a second run adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa

from gongxin.db.complaint_tables import complaints
from gongxin.db.models import records
from gongxin.demo import complaints as demo
from gongxin.market import complaint_report
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience
from tests.market.helpers import RULES
from tests.workflows.helpers import World

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def test_demo_complaints_cover_every_state(world: World) -> None:
    made = demo.run(world.engine, world.catalog, RULES, now=NOW, base_url="http://demo.example",
                    var_dir=world.folder / "var")  # fmt: skip
    assert made == len(demo.PLAN)
    with world.engine.connect() as conn:
        rows = conn.execute(sa.select(complaints)).all()
        public = conn.execute(
            sa.text("SELECT count(*) FROM records WHERE dataset = 'complaint'")
        ).scalar_one()
        shown = conn.execute(
            sa.select(sa.func.count())
            .select_from(records)
            .where(records.c.dataset == "complaint", visible_now(Audience.PUBLIC, NOW.date()))
        ).scalar_one()
        report = complaint_report.build(conn, RULES, "month", NOW.date(), as_of=NOW.date())
    states = Counter(r.state for r in rows)
    assert set(states) == {"received", "refused", "accepted", "replied", "overdue"}, states
    assert any(r.replied_on and r.replied_on > r.reply_due for r in rows)  # a late reply
    assert any(r.rating for r in rows) and any(r.typical for r in rows)
    assert public == len(rows) - states["received"] - states["refused"] == shown
    assert report["accepted"] >= 5 and report["warnings"] and report["cases"]
    assert demo.run(world.engine, world.catalog, RULES, now=NOW, base_url="http://demo.example",
                    var_dir=world.folder / "var") == 0  # fmt: skip
