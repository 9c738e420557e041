"""``gongxin complaints``: the queue, accepting and refusing, overdue, the report, as a clerk
at a terminal would (the CLI reads the wall clock: complaints are filed today)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from gongxin.catalog.registry import load_catalog
from gongxin.clock import local_date
from gongxin.db.engine import make_engine
from gongxin.market import complaints
from gongxin.workflows.attachments import Upload
from tests.intake.helpers import PROVIDER, registration_row, write_registrations
from tests.market.helpers import PDF, RULES, filing, noon
from tests.support.cli import Cli
from tests.workflows.helpers import COMPANY


def test_queue_accept_refuse_and_report(ready: Cli) -> None:
    from gongxin.intake.pipeline import ingest

    ready.ok("dept", "add", "市信用中心", "--kind", "centre")
    today = local_date(datetime.now(UTC))
    engine = make_engine(ready.url)
    try:
        path = write_registrations(ready.folder / "reg.csv",
                                   [registration_row(501, 统一社会信用代码=COMPANY)])  # fmt: skip
        ingest(engine, load_catalog(), path, dataset="registration", provider=PROVIDER,
               as_of=noon(today))  # fmt: skip
        made = []
        for _ in range(2):
            with engine.begin() as conn:
                made.append(complaints.file(
                    conn, filing(), [Upload("a.pdf", PDF)], rules=RULES,
                    var_dir=ready.folder / "var", max_bytes=10_000, max_count=2, as_of=today,
                    now=noon(today),
                ))  # fmt: skip
    finally:
        engine.dispose()
    listed = ready.ok("complaints", "list")
    assert made[0].number in listed.stdout and "待受理" in listed.stdout
    bad = ready("complaints", "accept", str(made[0].id), "--company-email", "nope")
    assert bad.exit_code != 0 and "企业联系邮箱" in bad.output
    done = ready.ok("complaints", "accept", str(made[0].id), "--company-email", "kf@co.example",
                    "--summary", "网购退款纠纷")  # fmt: skip
    assert "/complaints/reply/" in done.stdout
    assert ready("complaints", "refuse", str(made[1].id), "--reason", "x").exit_code != 0
    assert "不予受理" in ready.ok("complaints", "refuse", str(made[1].id),
                                 "--reason", "time_barred").stdout  # fmt: skip
    assert ready("complaints", "accept", "999", "--company-email", "a@b.cn").exit_code != 0
    assert "新标记逾期 0 件" in ready.ok("complaints", "overdue").stdout
    figures = json.loads(ready.ok("complaints", "report", "--json").stdout)
    assert (figures["received"], figures["accepted"], figures["refused"]) == (2, 1, 1)
    assert ready("complaints", "report", "--period", "decade").exit_code != 0
    assert made[0].number not in ready.ok("complaints", "list").stdout  # triaged
    assert made[0].number in ready.ok("complaints", "list", "--show", "waiting").stdout
