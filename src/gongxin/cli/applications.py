"""``gongxin applications``: objections and credit repair from the command line — the queue
with its working-day countdown, the figures per department, a decision, an extension and the
pauses of the clock (the same services as the back office)."""

from __future__ import annotations

from typing import Annotated

import orjson
import sqlalchemy as sa
import typer
from rich.table import Table

from gongxin.audit import log as audit
from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.db.models import departments as departments_table
from gongxin.db.workflow_tables import applications as table
from gongxin.errors import InvalidInput, NotFound
from gongxin.identity import departments
from gongxin.workflows import applications, backoffice, clockstops

app = typer.Typer(help="异议与信用修复 (objections and credit repair)", no_args_is_help=True)


@app.command("list")
@common.reports_errors
def list_(
    dept: Annotated[str | None, typer.Option(help="只看此部门 (one department)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="含已办结 (decided ones too)")] = False,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """待办申请及剩余工作日 (the queue with working days left)."""
    as_of = local_date(common.now())
    with common.engine().connect() as conn:
        dept_id = departments.get(conn, dept).id if dept else None
        found = backoffice.queue(conn, department_id=dept_id, as_of=as_of, open_only=not all_)
    if as_json or out_file is not None:
        rows = [w.__dict__ | {"overdue": w.overdue} for w in found]
        if out_file is not None:
            common.write_rows(orjson.loads(orjson.dumps(rows, default=str)), out_file)
            return
        common.out.print_json(orjson.dumps(rows, default=str).decode())
        return
    out = Table("受理编号 number", "类型 kind", "记录 record", "部门 department",
                "期限 due", "剩余工作日 left", "状态 state")  # fmt: skip
    for w in found:
        left = f"逾期 {-w.left}" if w.overdue else str(w.left)
        left += "（暂停计时）" if w.paused_since else ""
        left += f"（已延长 {w.extended}）" if w.extended else ""
        out.add_row(w.number, w.kind_zh, str(w.record_id), w.department, str(w.due_on), left,
                    w.state_zh)  # fmt: skip
    common.out.print(out)


@app.command("stats")
@common.reports_errors
def stats(
    as_json: common.JsonOpt = False,
) -> None:
    """各部门申请、准予、不予、平均办理工作日、逾期 (figures per department)."""
    with common.engine().connect() as conn:
        found = backoffice.stats(conn, department_id=None, as_of=local_date(common.now()))
    if as_json:
        common.out.print_json(orjson.dumps([f.to_dict() for f in found]).decode())
        return
    out = Table("部门 department", "申请", "待办", "准予", "不予", "平均工作日", "逾期")
    for f in found:
        out.add_row(f.department, str(f.applications), str(f.open), str(f.approvals),
                    str(f.refusals), str(f.average_days or "—"), str(f.overdue))  # fmt: skip
    common.out.print(out)


@app.command("decide")
@common.reports_errors
def decide(
    number: Annotated[str, typer.Argument(help="受理编号 (application number)")],
    outcome: Annotated[
        str, typer.Option(help="granted|refused|returned|corrected|withdrawn|upheld")
    ],
    reasons: Annotated[str, typer.Option(help="理由 (reasons, required)")],
) -> None:
    """作出决定（信用中心身份）(decide an application, as the credit centre)."""
    moment = common.now()
    with common.engine().begin() as conn:
        done = applications.decide(
            conn, common.catalog(), _id_of(conn, number), outcome, reasons, actor="cli",
            department_id=None, as_of=local_date(moment), now=moment,
        )  # fmt: skip
    common.out.print(f"{done['number']}：{done['state_zh']} ({done['state']})")


def _id_of(conn: sa.Connection, number: str) -> int:
    found = conn.execute(sa.select(table.c.id).where(table.c.number == number)).scalar()
    if found is None:
        raise NotFound(f"没有受理编号为 {number[:40]} 的申请", f"no application {number[:40]!r}")
    return int(found)


@app.command("extend")
@common.reports_errors
def extend(
    number: Annotated[str, typer.Argument(help="受理编号 (application number)")],
    reason: Annotated[str, typer.Option(help="延长理由 (reason, required)")],
    days: Annotated[
        int | None, typer.Option(min=1, max=999, help="工作日 (default: all the rules allow)")
    ] = None,
) -> None:
    """延长办理期限，限一次（信用中心身份）(take the rules' one extension, as the centre)."""
    moment = common.now()
    with common.engine().begin() as conn:
        due = clockstops.extend(
            conn, _id_of(conn, number), reason, days=days, actor="cli", department_id=None,
            as_of=local_date(moment), now=moment, rules_path=common.settings().workflow_rules,
        )  # fmt: skip
    common.out.print(f"{number}：办理期限延长至 {due} (due {due})")


@app.command("pause")
@common.reports_errors
def pause(
    number: Annotated[str, typer.Argument(help="受理编号 (application number)")],
    kind: Annotated[str, typer.Option(help="中止情形，如 test、expert_review (河南)")],
    reason: Annotated[str, typer.Option(help="理由 (reason, required)")],
) -> None:
    """中止计时（辖区规则允许的情形）(pause the clock, where the rules allow it)."""
    moment = common.now()
    with common.engine().begin() as conn:
        clockstops.pause(
            conn, _id_of(conn, number), kind, reason, actor="cli", department_id=None,
            as_of=local_date(moment), now=moment, rules_path=common.settings().workflow_rules,
        )  # fmt: skip
    common.out.print(f"{number}：自 {local_date(moment)} 起中止计时 (paused)")


@app.command("resume")
@common.reports_errors
def resume(number: Annotated[str, typer.Argument(help="受理编号 (application number)")]) -> None:
    """恢复计时 (the clock runs again; the days paused move the deadline)."""
    moment = common.now()
    with common.engine().begin() as conn:
        due = clockstops.resume(conn, _id_of(conn, number), actor="cli", department_id=None,
                                as_of=local_date(moment), now=moment)  # fmt: skip
    common.out.print(f"{number}：恢复计时，办理期限至 {due} (due {due})")


@app.command("mailto")
@common.reports_errors
def mailto(
    dept: Annotated[str, typer.Argument(help="部门名称 (department)")],
    address: Annotated[str, typer.Argument(help="经办人邮箱 (the clerks' e-mail; '' to clear)")],
) -> None:
    """设置部门接收异议与信用修复通知的邮箱 (where a department's notifications go)."""
    address = address.strip()
    if address and ("@" not in address or len(address) > 254 or any(c.isspace() for c in address)):
        raise InvalidInput(f"邮箱“{address[:80]}”格式不正确", f"{address[:80]!r} is not an e-mail")
    moment = common.now()
    with common.engine().begin() as conn:
        found = departments.get(conn, dept)
        conn.execute(
            departments_table.update()
            .where(departments_table.c.id == found.id)
            .values(notify_email=address or None)
        )
        audit.record(
            conn,
            actor="cli",
            action="department.notify_email",
            now=moment,
            target=f"department:{found.id}",
            detail={"email": address or None},
        )
    common.out.print(f"{found.name}：{address or '（已清除 cleared）'}")
