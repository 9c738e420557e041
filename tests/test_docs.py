"""The documentation keeps up with the code: every setting, command and dataset is documented,
and the README's quick start is the two commands that CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.models import CommandInfo

from gongxin import cli
from gongxin.catalog.registry import load_catalog
from gongxin.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SETTINGS_DOC = ROOT / "docs" / "settings.md"
DATASETS_DOC = ROOT / "docs" / "datasets.md"


def _read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def _command_name(info: CommandInfo) -> str:
    """The name typer gives a command: its explicit name, else the callback's, dashed."""
    if info.name:
        return info.name
    assert info.callback is not None, f"command without name or callback: {info!r}"
    return info.callback.__name__.replace("_", "-")


def _commands(app: typer.Typer, prefix: str = "gongxin") -> list[str]:
    """Every command line of ``app``: ``gongxin init``, ``gongxin dept add`` …"""
    found = [f"{prefix} {_command_name(info)}" for info in app.registered_commands]
    for group in app.registered_groups:
        assert group.name, f"a command group of {prefix!r} has no name"
        assert group.typer_instance is not None, f"group {group.name!r} has no commands"
        found.extend(_commands(group.typer_instance, f"{prefix} {group.name}"))
    return found


def _registered_commands() -> list[str]:
    cli._register()
    commands = _commands(cli.app)
    # _register() marks itself done before it imports the command modules, so after a failed
    # first call the app stays empty: refuse to check the README against nothing.
    for known in ("gongxin init", "gongxin dept add"):
        assert known in commands, (
            f"{known!r} is not registered on gongxin.cli.app (did _register() fail?): {commands}"
        )
    return commands


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_described_and_documented(name: str) -> None:
    description = Settings.model_fields[name].description
    assert description and description.strip(), f"setting {name!r} has no description"
    variable = f"GONGXIN_{name.upper()}"
    assert re.search(rf"\b{variable}\b", _read(SETTINGS_DOC)), (
        f"setting {name!r} is not documented in docs/settings.md as {variable}"
    )


def test_each_setting_has_one_row_in_the_settings_doc() -> None:
    """Two rows for one variable have said two different things (a 400 beside a 413): the
    table names each variable once."""
    rows = re.findall(r"^\| `(GONGXIN_\w+)`", _read(SETTINGS_DOC), flags=re.MULTILINE)
    repeated = sorted({name for name in rows if rows.count(name) > 1})
    assert rows and not repeated, f"docs/settings.md has more than one row for {repeated}"


def test_every_command_appears_in_the_readme() -> None:
    readme = _read(README)
    missing = [
        command
        for command in _registered_commands()
        if not re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", readme)
    ]
    assert not missing, f"README.md does not show these commands: {', '.join(missing)}"


def test_every_dataset_appears_in_the_datasets_doc() -> None:
    doc = _read(DATASETS_DOC)
    missing = [code for code in load_catalog().codes() if f"`{code}`" not in doc]
    assert not missing, f"docs/datasets.md does not list these datasets: {', '.join(missing)}"


def test_the_quick_start_is_make_demo_and_make_test() -> None:
    readme = _read(README)
    match = re.search(r"^##[^\n]*Quick start[^\n]*\n(.*?)(?=^## )", readme, re.M | re.S | re.I)
    assert match, "README.md has no '## … Quick start' section"
    quick_start = match.group(1)
    for command in ("make demo", "make test"):
        assert command in quick_start, f"README.md's quick start does not mention {command!r}"
