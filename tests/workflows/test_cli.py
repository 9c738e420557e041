"""``gongxin check stats`` prints the same figures as the service."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.cli import Cli
from tests.workflows.helpers import APPROVALS, COMPANY, breach, open_world, run_check


def test_check_stats_json_and_table(cli: Cli) -> None:
    for world in open_world(cli.url, cli.folder):
        breach(world)
        run_check(world, APPROVALS, "licensing", COMPANY,
                  now=datetime(2026, 11, 22, 11, tzinfo=UTC))  # fmt: skip
    out = cli.ok("check", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    figures = json.loads(out.stdout)
    assert figures["total"]["checks"] == 1 and figures["total"]["hits"] == 1
    assert figures["by_department"][0]["label"] == APPROVALS
    table = cli.ok("check", "stats", "--from", "2026-11-01", "--to", "2026-11-30").stdout
    assert "行政许可" in table and APPROVALS in table
    bad = cli("check", "stats", "--from", "2026-13-01")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
