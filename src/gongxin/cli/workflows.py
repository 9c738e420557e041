"""``gongxin check stats``: statistics of credit checks and their feedback."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.identity import departments
from gongxin.sanctions import check_stats

WIDE = 160
check_app = typer.Typer(help="信用核查 (credit checks)", no_args_is_help=True)
_HEADS = (
    ("核查次数", "checks"), ("核查主体", "subjects"), ("命中主体", "hits"),
    ("触发措施", "measures"), ("已反馈", "reported"), ("已执行", "applied"),
    ("未执行", "not_applied"),
)  # fmt: skip


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} 的日期“{value[:20]}”格式有误，应为 YYYY-MM-DD",
            f"{option} {value[:20]!r} is not a date YYYY-MM-DD",
        ) from None


def _table(title: str, rows: list[check_stats.Row]) -> Table:
    table = Table(title=title)
    table.add_column("项目 item", min_width=16)
    for zh, en in _HEADS:
        table.add_column(f"{zh}\n{en}", justify="right")
    for row in rows:
        table.add_row(row.label, *(str(getattr(row.tally, en)) for _, en in _HEADS))
    return table


@check_app.command("stats")
@common.reports_errors
def stats(
    since: Annotated[
        str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD（默认 30 天前）")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD（默认今天）")
    ] = None,
    dept: Annotated[str | None, typer.Option(help="只统计此部门 (one department)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON (print JSON)")] = False,
) -> None:
    """核查与反馈统计：按场景、部门、措施 (statistics of checks and feedback)."""
    moment: datetime = common.now()
    first, last = check_stats.period(_day(since, "--from"), _day(until, "--to"), local_date(moment))
    with common.engine().connect() as conn:
        dept_id = departments.get(conn, dept).id if dept else None
        found = check_stats.stats(conn, since=first, until=last, department_id=dept_id)
    if as_json:
        common.out.print_json(orjson.dumps(found.to_dict()).decode())
        return
    total = check_stats.Row("total", "合计 total", found.total)
    # A terminal gets the tables at its width; a log or a pipe gets them wide enough to read.
    console = common.out if common.out.is_terminal else Console(width=WIDE)
    who = f" · {found.department}" if found.department else ""
    console.print(f"核查统计 {first.isoformat()} 至 {last.isoformat()}{who}")
    console.print(_table("按场景 by scene", [*found.by_scene, total]))
    console.print(_table("按部门 by department", [*found.by_department, total]))
    console.print(_table("按措施 by measure", found.by_measure))
    if found.total.reasons:
        reasons = Table("未执行理由 reason", "次数 count", title="未执行理由 reasons not applied")
        for reason, count in found.total.reasons.most_common():
            reasons.add_row(reason or "（未说明）", str(count))
        console.print(reasons)
