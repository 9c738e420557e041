"""``gongxin audit``: read and verify the hash-chained audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.audit import anchor as audit_anchor
from gongxin.audit import log as audit
from gongxin.cli import common

app = typer.Typer(help="审计日志 (audit log)", no_args_is_help=True)


@app.command("verify")
@common.reports_errors
def verify() -> None:
    """校验审计日志的哈希链及签名锚点 (verify the hash chain and the signed anchors; exit 1 when
    either fails)."""
    settings = common.settings()
    with common.engine().connect() as conn:
        verdict = audit.verify(conn)
        anchored = audit_anchor.check(conn, settings) if audit_anchor.configured(settings) else None
    broken = False
    if verdict.ok:
        common.out.print(f"{verdict.zh}（{verdict.en}）")
    else:
        broken = True
        common.err.print(f"[red]审计日志被篡改 (tampered):[/red] {verdict.zh}（{verdict.en}）")
    if anchored is None:
        common.out.print(
            "未配置审计锚点：截断、清空或整体重写日志无法发现"
            "（no audit anchors configured: truncation, a wipe or a rewrite goes undetected）"
        )
    elif anchored.ok:
        common.out.print(f"{anchored.zh}（{anchored.en}）")
    else:
        broken = True
        common.err.print(
            f"[red]审计锚点不符 (anchor mismatch):[/red] {anchored.zh}（{anchored.en}）"
        )
    if broken:
        raise typer.Exit(1)


@app.command("anchor")
@common.reports_errors
def anchor() -> None:
    """写入签名锚点 (sign the audit log's head and append it to the anchor file)."""
    settings = common.settings()
    made = audit_anchor.anchor(common.engine(), settings, common.now())
    common.out.print(
        f"已写入审计锚点：第 {made.seq} 条，{made.hash[:16]}…，写入 {settings.audit_anchor_file}"
        f"（anchored entry {made.seq} to {settings.audit_anchor_file}）"
    )


@app.command("list")
@common.reports_errors
def list_entries(
    limit: Annotated[int, typer.Option(help="显示条数 (entries to show)")] = 50,
    action: Annotated[str | None, typer.Option(help="只看此操作 (only this action)")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
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
            common.china_time(e.at),
            e.actor,
            e.action,
            e.target,
            e.purpose or "",
        )
    common.show(table, as_json, out_file)
