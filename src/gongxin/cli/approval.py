"""``gongxin approval`` (并联审批: the matters, the review queue, the SLA figures) and
``gongxin trace`` (产品溯源: a batch's chain, the recall list): the same services as the API and
the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from gongxin.approval import reviews, sla, trace
from gongxin.approval.matters import load
from gongxin.cli import common
from gongxin.clock import local_date

app = typer.Typer(help="并联审批 (parallel approval)", no_args_is_help=True)
trace_app = typer.Typer(help="产品溯源 (product traceability)", no_args_is_help=True)


@app.command("matters")
@common.reports_errors
def matters(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """审批事项及并联审查部门 (the matters and their parallel departments)."""
    book = load(common.catalog(), common.settings().approval_matters)
    out = Table("代码 code", "事项 matter", "场景 scene", "承诺时限 days", "审查部门 departments",
                "容缺 tolerance", "告知承诺 promise", "项目代码 project code")  # fmt: skip
    for m in book.matters:
        depts = "、".join(f"{d.name}({d.days})" for d in m.departments)
        out.add_row(m.code, m.name, m.scene, str(m.promised_days), depts, _yes(m.tolerance),
                    _yes(m.promise), _yes(m.project_code))  # fmt: skip
    common.show(out, as_json, out_file)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


@app.command("list")
@common.reports_errors
def list_(
    dept: Annotated[str | None, typer.Option(help="只看此审查部门 (one department)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="含已办结 (decided ones too)")] = False,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """审查任务及期限 (the reviews with their deadlines)."""
    as_of = local_date(common.now())
    with common.engine().connect() as conn:
        found = reviews.queue(conn, department=dept, as_of=as_of, open_only=not all_)
    out = Table("受理编号 number", "事项 matter", "审查部门 department", "申请人 applicant",
                "期限 due", "状态 state", "逾期 overdue", "名单 lists")  # fmt: skip
    for r in found:
        out.add_row(r["number"], r["matter"], r["department"], r["applicant"], str(r["due_on"]),
                    r["state_zh"], _yes(r["overdue"]), str(r["credit_hits"]))  # fmt: skip
    common.show(out, as_json, out_file)


@app.command("sla")
@common.reports_errors
def sla_(
    matter: Annotated[str | None, typer.Option(help="事项代码 (a matter)")] = None,
    dept: Annotated[str | None, typer.Option(help="审查部门 (a department)")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """办理时效统计 (SLA per matter and department)."""
    book = load(common.catalog(), common.settings().approval_matters)
    with common.engine().connect() as conn:
        found = sla.stats(conn, book, as_of=local_date(common.now()), matter=matter,
                          department=dept)  # fmt: skip
    out = Table("事项 matter", "审查部门 department", "收件 received", "按期 on time",
                "逾期决定 overdue", "待审 pending", "逾期待审 pending overdue",
                "平均工作日 mean days")  # fmt: skip
    for d in found["departments"]:
        out.add_row(d["matter"], d["department"], str(d["received"]), str(d["on_time"]),
                    str(d["overdue"]), str(d["pending"]), str(d["pending_overdue"]),
                    "—" if d["mean_days"] is None else str(d["mean_days"]))  # fmt: skip
    common.show(out, as_json, out_file)


TraceCode = Annotated[str | None, typer.Option("--code", help="追溯码 (trace code)")]
Product = Annotated[str | None, typer.Option(help="产品名称 (product)")]
Batch = Annotated[str | None, typer.Option(help="批次号 (batch)")]
Node = Annotated[str | None, typer.Option(help="节点统一社会信用代码 (a node)")]


@trace_app.command("chain")
@common.reports_errors
def chain(
    code: TraceCode = None, product: Product = None, batch: Batch = None, node: Node = None,
    as_json: common.JsonOpt = False, out_file: common.OutOpt = None,
) -> None:  # fmt: skip
    """批次的追溯链条及各节点信用状况 (a batch's chain with each node's credit status)."""
    found = _look_up(trace.chain, code, product, batch, node)
    rows = found["upstream"] + found["downstream"] if node else found["nodes"]
    place = "距所查节点 distance" if node else "环节 level"
    out = Table(place, "节点 node", "代码 code", "类型 type", "收到 received", "转出 passed on",
                "信用状况 credit")  # fmt: skip
    for n in rows:
        out.add_row(str(n.get("distance", n.get("level"))), n["name"], n["code"], n["node_type"],
                    str(n["received"]), str(n["passed_on"]), n["credit"]["status_zh"])  # fmt: skip
    common.show(out, as_json, out_file)


@trace_app.command("recall")
@common.reports_errors
def recall(
    code: TraceCode = None, product: Product = None, batch: Batch = None, node: Node = None,
    as_json: common.JsonOpt = False, out_file: common.OutOpt = None,
) -> None:  # fmt: skip
    """召回范围：持有该批次的每个下游节点 (every downstream node holding the batch)."""
    found = _look_up(trace.recall, code, product, batch, node)
    out = Table("距源头 distance", "节点 node", "代码 code", "类型 type", "收到 received",
                "转出 passed on", "仍持有 held", "信用状况 credit")  # fmt: skip
    for n in found["holders"]:
        out.add_row(str(n["distance"]), n["name"], n["code"], n["node_type"], str(n["received"]),
                    str(n["passed_on"]), str(n["held"]), n["credit"]["status_zh"])  # fmt: skip
    common.show(out, as_json, out_file)


def _look_up(
    look_up: Callable[..., dict[str, Any]], code: str | None, product: str | None,
    batch: str | None, node: str | None,
) -> dict[str, Any]:  # fmt: skip
    """The answer of ``look_up`` (trace.chain or trace.recall) for the options given, today."""
    with common.engine().connect() as conn:
        return look_up(
            conn,
            common.catalog(),
            product=product,
            batch=batch,
            trace_code=code,
            node=node,
            as_of=local_date(common.now()),
        )
