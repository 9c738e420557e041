"""``gongxin audit``: read and verify the hash-chained audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.audit import log as audit
from gongxin.cli import common

app = typer.Typer(help="审计日志 (audit log)", no_args_is_help=True)


@app.command("verify")
@common.reports_errors
def verify() -> None:
    """校验审计日志的哈希链 (verify the audit log's hash chain; exit 1 when it is broken)."""
    with common.engine().connect() as conn:
        verdict = audit.verify(conn)
    if verdict.ok:
        common.out.print(f"{verdict.zh}（{verdict.en}）")
        return
    common.err.print(f"[red]审计日志被篡改 (tampered):[/red] {verdict.zh}（{verdict.en}）")
    raise typer.Exit(1)


@app.command("list")
@common.reports_errors
def list_entries(
    limit: Annotated[int, typer.Option(help="显示条数 (entries to show)")] = 50,
    action: Annotated[str | None, typer.Option(help="只看此操作 (only this action)")] = None,
) -> None:
    """列出最近的审计日志 (list the newest audit entries)."""
    with common.engine().connect() as conn:
        rows = audit.entries(conn, limit=limit, action=action, newest_first=True)
    table = Table(
        "序号 seq", "时间 at", "操作者 actor", "操作 action", "对象 target", "用途 purpose"
    )
    for e in rows:
        table.add_row(
            str(e.seq),
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            e.target,
            e.purpose or "",
        )
    common.out.print(table)
