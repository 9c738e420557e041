"""What every command needs: settings, the engine, the catalog, the clock, error reporting."""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import orjson
import sqlalchemy as sa
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gongxin import logs
from gongxin.catalog.registry import Catalog, get_catalog
from gongxin.clock import CHINA_TZ, as_utc
from gongxin.db.engine import for_settings
from gongxin.errors import GongxinError, InvalidInput
from gongxin.records import regimes
from gongxin.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

out = Console()
err = Console(stderr=True)


def settings() -> Settings:
    found = get_settings()
    regimes.configure(found.regimes_dir)  # the deployment's publicity rules, if any
    return found


def engine() -> sa.Engine:
    s = settings()
    # A clerk's terminal shows the command's own output; the event log stays for servers.
    level = s.log_level if "log_level" in s.model_fields_set else "WARNING"
    logs.configure(level, s.log_json)
    made = _engines.get(s.database_url)
    if made is None:
        made = _engines[s.database_url] = for_settings(s)
    return made


_engines: dict[str, sa.Engine] = {}  # one per store for the process, closed by dispose_engines


def dispose_engines() -> None:
    """Close every store connection the commands opened (for a process that runs several
    commands and goes on, such as a test session)."""
    while _engines:
        _engines.popitem()[1].dispose()


def catalog() -> Catalog:
    """The deployment's catalog (``settings()`` puts its publicity regimes in force too)."""
    return get_catalog(settings().catalog_dir)


def now() -> datetime:
    """The moment a command acts at: the only wall-clock read of the CLI."""
    return datetime.now(UTC)


def china_time(moment: datetime | str | None) -> str:
    """A stored moment as a command prints it: Beijing time, ``YYYY-MM-DD HH:MM:SS +08:00``
    (naive moments, as SQLite returns them, are UTC)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S +08:00")


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print gongxin's own errors as one readable line and exit 2, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GongxinError as exc:
            err.print(  # one line however long (a script or a log reads it whole)
                f"[red]错误 (error):[/red] {escape(exc.message)}",
                highlight=False,
                markup=True,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None

    return wrapper


def is_terminal() -> bool:
    return sys.stderr.isatty()


# -- list output: a table on the terminal, --json, --out FILE --------------------------------

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON (print JSON)")]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="写入文件 (write to a file): .json 或 .csv (UTF-8, Excel)"),
]


def _key(header: str) -> str:
    """A column's JSON key: the English part of its header (``名称 name`` → ``name``)."""
    ascii_part = "".join(ch if ch.isascii() else " " for ch in header).strip()
    words = ascii_part.lower().replace("-", " ").split()
    return "_".join(words) or header.strip()


def table_rows(table: Table) -> list[dict[str, str]]:
    """A rich table's rows as plain dicts, keyed by each column's English name."""
    keys = [_key(str(c.header)) for c in table.columns]
    cells = [[str(cell) for cell in c.cells] for c in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in zip(*cells, strict=True)]


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:  # Excel reads the BOM
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
            writer.writeheader()
            writer.writerows(rows)
    else:
        raise InvalidInput(
            f"--out 文件须为 .json 或 .csv：{path.name}",
            f"--out must be .json or .csv: {path.name}",
        )


def show(table: Table, as_json: bool = False, out_file: Path | None = None) -> None:
    """A listing as the caller asked: JSON on stdout, a file, or the table (wrapped to the
    terminal's width, 80 columns when not a terminal, so that a pipe stays readable)."""
    if out_file is not None:
        rows = table_rows(table)
        write_rows(rows, out_file)
        err.print(f"已写入 (written) {out_file}：{len(rows)} 行 (rows)", markup=False)
        return
    if as_json:
        sys.stdout.write(orjson.dumps(table_rows(table), option=orjson.OPT_INDENT_2).decode())
        sys.stdout.write("\n")
        return
    if len(table.columns) > max(1, out.width // 13):  # too many columns for the width:
        _cards(table)  # one block per row, a line per column
        return
    table.box = box.SIMPLE_HEAD
    table.pad_edge = False
    for column in table.columns:
        column.overflow = "fold"  # long codes fold instead of being cut off
    out.print(table)


def _cards(table: Table) -> None:
    """A wide table as blocks of ``header: value`` lines, one block per row."""
    if table.title:
        out.print(str(table.title), markup=False, highlight=False)
    headers = [str(c.header) for c in table.columns]
    for row in table_rows(table):
        out.print("", markup=False)
        for header, value in zip(headers, row.values(), strict=True):
            out.print(f"{header}：{value}", markup=False, highlight=False, overflow="fold")
