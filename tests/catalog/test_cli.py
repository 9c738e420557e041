"""``gongxin catalog``: list, show and template through the real typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

import gongxin.cli
from gongxin.catalog.registry import load_catalog
from gongxin.cli import common

WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The ``gongxin`` app with its sub-commands registered exactly once."""
    if not any(group.name == "catalog" for group in gongxin.cli.app.registered_groups):
        gongxin.cli._register()
    return gongxin.cli.app


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # the listing console is made at import with the process's width (80 in a pytest-xdist
    # worker): a wide one, as WIDE asks, for the table tests
    monkeypatch.setattr(common, "out", Console(width=250))
    return CliRunner()


def test_list_shows_every_dataset(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalog", "list"], env=WIDE)
    assert result.exit_code == 0, result.output
    for header in ("代码", "名称", "公开范围", "共享类型", "字段数", "版本"):
        assert header in result.output
    for spec in load_catalog().specs():
        line = next(line for line in result.output.splitlines() if f" {spec.code} " in line)
        assert spec.name in line and spec.publicity_scope in line and spec.share_type in line
        assert f" {len(spec.fields)} " in line and spec.version in line


def test_show_prints_metadata_and_dictionary(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalog", "show", "penalty"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "行政处罚" in out and "社会公开" in out and "行政处罚法" in out
    for code in ("CF_XDR_SHXYM", "CF_NR_FK", "CF_JDRQ", "legacy_2016"):
        assert code in out
    assert "条件：" in out


def test_show_a_legacy_layout(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalog", "show", "licence", "-l", "legacy_2016"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "XK_XMMC" in result.output and "许可截止期" in result.output


def test_unknown_dataset_is_a_usage_error(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalog", "show", "penalties"], env=WIDE)
    assert result.exit_code == 2
    assert "未知的数据集" in result.output and "unknown dataset" in result.output
    assert "penalty" in result.output and "registration" in result.output


def test_unknown_layout_is_a_usage_error(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalog", "show", "penalty", "--layout", "v1"], env=WIDE)
    assert result.exit_code == 2
    assert "legacy_2016" in result.output


def test_template_writes_the_workbook(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "licence.xlsx"
    result = runner.invoke(app, ["catalog", "template", "licence", "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    header = [c.value for c in load_workbook(out)["数据"][1]]
    assert header == [f.name for f in load_catalog().get("licence").fields]


def test_template_of_an_unknown_dataset(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "x.xlsx"
    result = runner.invoke(app, ["catalog", "template", "nope", "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
