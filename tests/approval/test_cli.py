"""``gongxin approval`` and ``gongxin trace``: the same services from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.approval.trace_helpers import BATCH, CANTEEN, CODE, MARKET, WHOLESALER, load_chain
from tests.intake.helpers import catalog
from tests.sanctions.helpers import World, open_world
from tests.support.cli import Cli


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def test_trace_chain_and_recall(world: World, cli: Cli, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    chain = cli.ok("trace", "chain", "--code", CODE, "--node", MARKET)
    assert "北京新发地肉类批发有限公司" in chain.stdout and "北京乐食餐饮有限公司" in chain.stdout
    rows = json.loads(cli.ok("trace", "recall", "--product", "冷鲜猪肉", "--batch", BATCH,
                             "--json").stdout)  # fmt: skip
    assert {r["code"]: r["held"] for r in rows}[WHOLESALER] == "200"
    assert CANTEEN in {r["code"] for r in rows}
    missing = cli("trace", "recall", "--batch", BATCH)
    assert missing.exit_code != 0 and "追溯码" in missing.output


def test_approval_matters_and_sla(world: World, cli: Cli) -> None:
    shown = cli.ok("approval", "matters")
    assert "construction_permit" in shown.stdout and "市住房和城乡建设委员会" in shown.stdout
    assert cli.ok("approval", "list").exit_code == 0
    unknown = cli("approval", "sla", "--dept", "市气象局")
    assert unknown.exit_code != 0 and "市生态环境局" in unknown.output
