"""``gongxin simulate``: run a proposal (table or JSON), save it, list and show saved ones; a
malformed proposal exits non-zero naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.intake.helpers import PROVIDER, penalty_row, write_penalties
from tests.simulation.test_simulation import SELECTION, SHORT
from tests.support.cli import Cli


def test_run_save_list_show(ready: Cli, tmp_path: Path) -> None:
    rows = [penalty_row(1, CF_JDRQ="2026/10/01", CF_WSH="京海市监罚〔2026〕1号")]
    path = write_penalties(tmp_path / "p.csv", rows)
    ready.ok("ingest", str(path), "--dataset", "penalty", "--provider", PROVIDER)
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "short.yaml").write_text(SHORT, encoding="utf-8")
    (folder / "selection.yaml").write_text(SELECTION, encoding="utf-8")
    shown = ready.ok("simulate", "run", "regimes", str(folder), "--as-of", "2026-12-02")
    assert "不再公开" in shown.stdout and "北京测试1商贸有限公司" in shown.stdout
    saved = ready.ok(
        "simulate", "run", "regimes", str(folder), "--as-of", "2026-12-02", "--save",
        "--label", "一个月试行", "--json",
    )  # fmt: skip
    report = json.loads(saved.stdout)
    assert report["changed"] > 0 and report["id"] >= 1
    listed = json.loads(ready.ok("simulate", "list", "--json").stdout)
    assert [row["label"] for row in listed] == ["一个月试行"]
    again = ready.ok("simulate", "show", str(report["id"]), "--json").stdout
    assert json.loads(again.split("\n", 1)[1])["digest"] == report["digest"]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text(SHORT.replace("max_months: 1}", "max_months: 一}"), "utf-8")
    refused = ready("simulate", "run", "regimes", str(bad))
    assert refused.exit_code != 0 and "x.yaml" in refused.stdout + refused.stderr
