"""``gongxin complaints``: the credit-complaint centre's desk for a clerk at a terminal: the
queue, accept (forward to the company's e-mail) or refuse, mark overdue, the period report.
The same service functions as the back office (gongxin.market.complaint_service)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import orjson
import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.market import complaint_service, complaint_triage

app = typer.Typer(help="信用投诉 (credit complaints)", no_args_is_help=True)
IdArg = Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="投诉 id")]


@app.command("list")
@common.reports_errors
def list_(
    show: Annotated[str, typer.Option(help="triage 待受理 / waiting / overdue / all")] = "triage",
    as_json: common.JsonOpt = False,
) -> None:
    """列出投诉 (the queue: waiting for triage by default, with the working days left)."""
    with common.engine().connect() as conn:
        found = complaint_triage.queue(conn, show=show, as_of=local_date(common.now()))
    rows = [
        {
            "id": i["row"].id,
            "number": i["row"].number,
            "company": i["row"].company_name,
            "received_on": i["row"].received_on,
            "due": i["due"],
            "left": i["left"],
            "state": i["state_zh"],
        }
        for i in found["items"]
    ]
    if as_json:
        common.out.print_json(orjson.dumps(rows, default=str).decode())
        return
    table = Table(title=f"信用投诉：{complaint_triage.QUEUES[show]}")
    for head in ("id", "投诉编号", "被投诉企业", "收到", "期限", "剩余工作日", "状态"):
        table.add_column(head)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r.values()))
    common.out.print(table)


@app.command("accept")
@common.reports_errors
def accept(
    complaint_id: IdArg,
    company_email: Annotated[str, typer.Option(help="企业联系邮箱：答复链接发送至此")],
    summary: Annotated[str, typer.Option(help="公示摘要（不含投诉人信息）")] = "",
) -> None:
    """受理并转交企业 (accept and forward to the company with a signed reply link)."""
    now = common.now()
    done = complaint_service.accept(
        common.engine(),
        common.catalog(),
        common.settings(),
        complaint_id,
        company_email=company_email,
        summary=summary,
        actor="cli",
        as_of=local_date(now),
        now=now,
    )
    common.out.print(
        f"已受理 {done['number']}，企业答复期限 {done['reply_due']}；链接：{done['link']}"
    )


@app.command("refuse")
@common.reports_errors
def refuse(
    complaint_id: IdArg,
    reason: Annotated[str, typer.Option(help="不予受理理由（规则中的键，如 time_barred）")],
    note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """不予受理 (refuse with a reason of the rules)."""
    now = common.now()
    done = complaint_service.refuse(
        common.engine(),
        common.settings(),
        complaint_id,
        reason=reason,
        note=note,
        actor="cli",
        as_of=local_date(now),
        now=now,
    )
    common.out.print(f"{done['number']} 不予受理：{done['reason_zh']}")


@app.command("overdue")
@common.reports_errors
def overdue() -> None:
    """标记企业逾期未答复的投诉 (mark overdue; the worker's complaint-deadlines job does it too)."""
    now = common.now()
    counts = complaint_service.mark_overdue(
        common.engine(), common.catalog(), common.settings(), as_of=local_date(now), now=now
    )
    common.out.print(
        f"新标记逾期 {counts['overdue']} 件；超过受理期限待受理 {counts['triage_late']} 件"
    )


@app.command("report")
@common.reports_errors
def report(
    period: Annotated[str, typer.Option(help="week / month / quarter")] = "month",
    day: Annotated[
        str | None, typer.Option("--date", help="期内任一日 YYYY-MM-DD（默认今天）")
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """投诉统计报告 (the period report: counts, categories, share answered in time, 公示预警)."""
    as_of = local_date(common.now())
    try:
        wanted = date.fromisoformat(day) if day else as_of
    except ValueError:
        raise InvalidInput(
            f"日期“{day[:20] if day else ''}”格式不正确，应为 YYYY-MM-DD",
            "--date is not YYYY-MM-DD",
            field="date",
        ) from None
    found = complaint_service.report(
        common.engine(), common.settings(), period, wanted, as_of=as_of
    )
    summary = {
        "period": found["period"].label,
        "received": found["received"],
        "accepted": found["accepted"],
        "refused": found["refused"],
        "previous": found["previous"],
        "change_pct": found["change_pct"],
        "in_time_pct": found["in_time_pct"],
        "categories": {c["zh"]: c["count"] for c in found["categories"]},
        "warnings": [
            {
                "company": w["company_name"],
                "code": w["company_code"],
                "count": w["count"],
                "rules": [r["zh"] for r in w["rules"]],
            }
            for w in found["warnings"]
        ],
    }
    if as_json:
        common.out.print_json(orjson.dumps(summary).decode())
        return
    for key, value in summary.items():
        common.out.print(f"{key}: {value}")
