"""``gongxin linkage``: link records without a usable code by the Splink model; the review queue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.supervision import matches, service

app = typer.Typer(
    help="主体匹配 (link records without a usable code to subjects; review queue)",
    no_args_is_help=True,
)
Revision = Annotated[int, typer.Option(help="复核单所示版本 (the revision the match showed)")]
Actor = Annotated[str, typer.Option(help="操作人 (who decides)")]


@app.command("run")
@common.reports_errors
def run(
    engine: Annotated[
        str | None, typer.Option(help="duckdb | spark (default: GONGXIN_ANALYTICS_ENGINE)")
    ] = None,
) -> None:
    """对待关联记录运行匹配模型 (score every linkable waiting record and store the outcome)."""
    s = service.run_linkage(
        common.engine(), common.catalog(), common.settings(), common.now(), engine=engine
    )
    common.out.print(
        f"考察 {s.considered:,} 条，自动关联 {s.linked:,}，"
        f"待复核 {s.review:,}，仍待关联 {s.unmatched:,} "
        f"(considered, linked, review, unmatched)"
    )


@app.command("queue")
@common.reports_errors
def queue(
    status: Annotated[str, typer.Option(help="review | linked | rejected | undone")] = "review",
    limit: int = 50,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出匹配 (list matches; by default the review queue)."""
    with common.engine().connect() as conn:
        found = matches.list_matches(conn, status, limit=limit)
    table = Table(
        "id", "版本 rev", "记录 record", "主体 subject", "概率 p", "一致 agreed", "不一致"
    )
    for m in found:
        table.add_row(
            str(m.id),
            str(m.revision),
            f"{m.record_id} {m.record_name or ''}",
            f"{m.subject_id} {m.subject_name}",
            f"{m.probability:.4f}" if m.probability is not None else "",
            "、".join(m.explanation.get("agreed", [])),
            "、".join(m.explanation.get("disagreed", [])),
        )
    common.show(table, as_json, out_file)


@app.command("confirm")
@common.reports_errors
def confirm(match_id: int, revision: Revision, actor: Actor = "centre") -> None:
    """确认匹配并关联记录 (confirm a match in the review queue)."""
    with common.engine().begin() as conn:
        m = matches.decide(
            conn, match_id, "confirm", revision=revision, actor=actor, now=common.now()
        )
    common.out.print(f"记录 {m.record_id} 已关联到主体 {m.subject_id} (linked)")


@app.command("reject")
@common.reports_errors
def reject(
    match_id: int,
    revision: Revision,
    reason: Annotated[str, typer.Option(help="理由 (why)")],
    actor: Actor = "centre",
) -> None:
    """驳回匹配 (reject a match in the review queue)."""
    with common.engine().begin() as conn:
        matches.decide(
            conn,
            match_id,
            "reject",
            revision=revision,
            actor=actor,
            now=common.now(),
            reason=reason,
        )
    common.out.print(f"匹配 {match_id} 已驳回 (rejected)")


@app.command("undo")
@common.reports_errors
def undo(
    match_id: int,
    revision: Revision,
    reason: Annotated[str, typer.Option(help="理由 (why)")],
    actor: Actor = "centre",
) -> None:
    """撤销错误关联，记录回到待关联 (undo a wrong link)."""
    with common.engine().begin() as conn:
        m = matches.undo(
            conn, match_id, revision=revision, actor=actor, now=common.now(), reason=reason
        )
    common.out.print(f"记录 {m.record_id} 已回到待关联 (unlinked)")
