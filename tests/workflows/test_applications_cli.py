"""``gongxin applications``: the queue, the figures and a decision from the command line."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from gongxin.db.engine import make_engine
from gongxin.db.models import records
from tests.intake.helpers import Store
from tests.support.cli import Cli
from tests.workflows.repair_helpers import add_penalty, file, filing


def test_list_stats_and_decide(ready: Cli) -> None:
    engine = make_engine(ready.url)
    try:
        store = Store(engine, ready.folder)
        rid = add_penalty(store, 61, "2026-05-06")
        filed = file(store, filing(rid), date(2026, 11, 23))
        listed = ready.ok("applications", "list")
        assert filed.number in listed.stdout and "信用修复" in listed.stdout
        refused = ready("applications", "decide", filed.number, "--outcome", "upheld",
                        "--reasons", "x")  # fmt: skip
        assert refused.exit_code != 0 and "只能是" in refused.output
        unknown = ready("applications", "decide", "XF0", "--outcome", "granted", "--reasons", "x")
        assert unknown.exit_code != 0 and "XF0" in unknown.output
        done = ready.ok("applications", "decide", filed.number, "--outcome", "granted",
                        "--reasons", "材料齐全")  # fmt: skip
        assert "准予修复" in done.stdout
        assert filed.number not in ready.ok("applications", "list").stdout  # decided
        assert filed.number in ready.ok("applications", "list", "--all").stdout
        (figures,) = json.loads(ready.ok("applications", "stats", "--json").stdout)
        assert (figures["applications"], figures["approvals"], figures["open"]) == (1, 1, 0)
        with engine.connect() as conn:
            status = conn.execute(sa.select(records.c.status).where(records.c.id == rid))
            assert status.scalar() == "repaired"
    finally:
        engine.dispose()


def test_mailto_sets_where_the_clerks_mails_go(ready: Cli) -> None:
    from gongxin.db.models import departments

    assert ready("applications", "mailto", "市市场监督管理局", "not an address").exit_code != 0
    ready.ok("applications", "mailto", "市市场监督管理局", "xzcf@scjgj.example.gov.cn")
    query = sa.select(departments.c.notify_email).where(departments.c.name == "市市场监督管理局")
    assert ready.scalar(query) == "xzcf@scjgj.example.gov.cn"
