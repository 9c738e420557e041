"""``gongxin linkage`` and ``gongxin alerts`` on the command line: the rules in force, runs
on an empty store, decisions on unknown items and a malformed rule file refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongxin.settings import get_settings
from tests.support.cli import Cli


def test_rules_runs_and_unknown_items(cli: Cli) -> None:
    cli.ok("init")
    rules = cli.ok("alerts", "rules")
    assert "listed_rep_elsewhere" in rules.stdout and "第十二条" in rules.stdout
    run = cli.ok("alerts", "run")
    assert "address_cluster: 0" in run.stdout and "新增 0" in run.stdout
    assert "考察 0 条" in cli.ok("linkage", "run").stdout
    unknown = cli("linkage", "run", "--engine", "flink")
    assert unknown.exit_code != 0 and "flink" in unknown.stderr and "duckdb" in unknown.stderr
    missing = cli("alerts", "confirm", "99", "--revision", "1")
    assert missing.exit_code == 2 and "没有编号为 99 的预警" in missing.stderr
    missing = cli("linkage", "confirm", "99", "--revision", "1")
    assert missing.exit_code == 2 and "没有编号为 99 的匹配" in missing.stderr


def test_a_malformed_rule_file_is_refused_naming_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: '1'\nrules:\n  - id: x1\n    title: t\n", "utf-8")
    monkeypatch.setenv("GONGXIN_WARNING_RULES", str(bad))
    get_settings.cache_clear()
    cli.ok("init")
    result = cli("alerts", "rules")
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "x1" in result.stderr
