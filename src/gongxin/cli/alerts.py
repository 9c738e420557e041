"""``gongxin alerts``: run the warning rules (预警) and work the centre's warnings queue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.supervision import service, warning_queue
from gongxin.supervision.rules import load_rules

app = typer.Typer(help="预警 (warning rules and the centre's warnings queue)", no_args_is_help=True)
Revision = Annotated[int, typer.Option(help="所示版本 (the revision the warning showed)")]
Actor = Annotated[str, typer.Option(help="操作人 (who acts)")]


@app.command("rules")
@common.reports_errors
def rules(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出预警规则 (list the rules in force, with their legal hooks)."""
    found = load_rules(common.catalog(), common.settings().warning_rules)
    table = Table("规则 rule", "严重程度", "标题 title", "法律依据 legal hook")
    for r in found.rules:
        table.add_row(r.id, r.severity, r.title, r.legal_hook)
    common.out.print(f"规则版本 (rules version) {found.version}")
    common.show(table, as_json, out_file)


@app.command("run")
@common.reports_errors
def run(
    engine: Annotated[
        str | None, typer.Option(help="duckdb | spark (default: GONGXIN_ANALYTICS_ENGINE)")
    ] = None,
) -> None:
    """运行预警规则 (run every rule over a fresh snapshot and keep the warnings)."""
    s = service.run_warnings(
        common.engine(), common.catalog(), common.settings(), common.now(), engine=engine
    )
    for rule_id, n in s.found.items():
        common.out.print(f"{rule_id}: {n:,}")
    common.out.print(f"新增 {s.new:,}，更新 {s.refreshed:,} (new, refreshed)")


@app.command("list")
@common.reports_errors
def list_(
    status: Annotated[str, typer.Option(help="open | assigned | confirmed | dismissed")] = "open",
    limit: int = 50,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出预警 (list warnings; open ones by default)."""
    with common.engine().connect() as conn:
        found = warning_queue.list_warnings(conn, status, limit=limit)
    table = Table("id", "版本 rev", "规则 rule", "严重程度", "主体 subject", "说明 explanation")
    for w in found:
        table.add_row(
            str(w.id), str(w.revision), w.rule_id, w.severity,
            f"{w.subject_id} {w.subject_name}", w.explanation,
        )  # fmt: skip
    common.show(table, as_json, out_file)


@app.command("assign")
@common.reports_errors
def assign(warning_id: int, revision: Revision, to: str, actor: Actor = "centre") -> None:
    """分派预警 (assign a warning to someone)."""
    with common.engine().begin() as conn:
        warning_queue.assign(
            conn, warning_id, revision=revision, assignee=to, actor=actor, now=common.now()
        )
    common.out.print(f"预警 {warning_id} 已分派给 {to} (assigned)")


@app.command("confirm")
@common.reports_errors
def confirm(
    warning_id: int, revision: Revision, reason: str | None = None, actor: Actor = "centre"
) -> None:
    """确认预警 (confirm a warning)."""
    with common.engine().begin() as conn:
        warning_queue.confirm(
            conn, warning_id, revision=revision, actor=actor, now=common.now(), reason=reason
        )
    common.out.print(f"预警 {warning_id} 已确认 (confirmed)")


@app.command("dismiss")
@common.reports_errors
def dismiss(
    warning_id: int,
    revision: Revision,
    reason: Annotated[str, typer.Option(help="理由 (why)")],
    actor: Actor = "centre",
) -> None:
    """排除预警 (dismiss a warning, with the reason)."""
    with common.engine().begin() as conn:
        warning_queue.dismiss(
            conn, warning_id, revision=revision, actor=actor, now=common.now(), reason=reason
        )
    common.out.print(f"预警 {warning_id} 已排除 (dismissed)")
