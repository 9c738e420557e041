"""``gongxin check --file`` and ``gongxin memoranda``: a clerk's file in, an Excel file out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from gongxin.db.engine import make_engine
from gongxin.db.sanctions_tables import check_results, checks
from tests.sanctions.helpers import World
from tests.sanctions.test_memoranda import GOOD
from tests.support.cli import Cli


def _world(cli: Cli) -> World:
    return World(make_engine(cli.url), "", 0)


def test_check_a_csv_into_an_xlsx(ready: Cli) -> None:
    world = _world(ready)
    sid, code = world.subject(1, "北京失信商贸有限公司")
    world.entry("dishonest_debtor", code, subject_id=sid)
    _, clean = world.subject(2)
    source = ready.folder / "codes.csv"
    source.write_text(f"统一社会信用代码\n{code}\n{clean}\nbad\n", encoding="utf-8")
    out = ready.folder / "result.xlsx"
    done = ready.ok("check", "--file", str(source), "--scene", "政府采购", "--out", str(out),
                    "--as-of", "2026-11-22")  # fmt: skip
    assert "3 个主体" in done.stdout and "1 个命中" in done.stdout
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "查询内容", "匹配方式")
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert rows[1][5] == "北京失信商贸有限公司" and rows[1][6] == "失信被执行人"
    assert "政府采购" in rows[1][7] and "未列入" in rows[2][9]
    assert rows[3][10] and "bad" in rows[3][10]
    assert ready.scalar(sa.select(sa.func.count()).select_from(checks)) == 1
    assert ready.scalar(sa.select(sa.func.count()).select_from(check_results)) == 3
    world.engine.dispose()


def test_check_to_csv_and_json_and_bad_scene(ready: Cli) -> None:
    world = _world(ready)
    sid, code = world.subject(1)
    world.entry("red_list", code, subject_id=sid)
    source = ready.folder / "codes.txt"
    source.write_text(code + "\n", encoding="utf-8")
    ready.ok(
        "check", "--file", str(source), "--scene", "评优评先", "--out", str(ready.folder / "r.csv")
    )
    text = (ready.folder / "r.csv").read_text(encoding="utf-8-sig")
    assert "守信红名单" in text and "激励" in text
    ready.ok(
        "check", "--file", str(source), "--scene", "honours", "--out", str(ready.folder / "r.json")
    )
    assert "rewards" in (ready.folder / "r.json").read_text()
    bad = ready(
        "check", "--file", str(source), "--scene", "买菜", "--out", str(ready.folder / "x.csv")
    )
    assert bad.exit_code == 2 and "政府采购" in bad.stderr
    world.engine.dispose()


def test_memoranda_load_and_list(ready: Cli) -> None:
    path = ready.folder / "local.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert "local-2026-1" in ready.ok("memoranda", "load", str(path)).stdout
    listed = ready.ok("memoranda", "list").stdout
    assert "local-2026-1" in listed and "fgcj-2016-141" in listed
    assert "现行" in ready.ok("memoranda", "list", "--all").stdout
    path.write_text(GOOD.replace("kind: punish", "kind: fine"), encoding="utf-8")
    bad = ready("memoranda", "load", str(path))
    assert bad.exit_code == 2 and "kind" in bad.stderr


def test_a_spark_file_check_without_java_fails_at_once_saying_what_to_install(
    ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ready.folder / "codes.csv"
    source.write_text("代码\n91110000000000000A\n", encoding="utf-8")
    out = ready.folder / "result.csv"
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    done = ready("check", "--file", str(source), "--scene", "政府采购", "--out", str(out),
                 "--engine", "spark")  # fmt: skip
    assert done.exit_code != 0 and "openjdk-17-jre-headless" in done.output
    assert not out.exists()
    assert ready.scalar(sa.select(sa.func.count()).select_from(checks)) == 0  # nothing logged
