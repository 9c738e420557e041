"""``gongxin rating``: industry credit evaluation (行业信用评价) from the command line — register
an evaluating organisation, list organisations and rounds, publish a round as the credit centre,
run the automatic revocation (the same services as the back office and the worker)."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.market import certificate_status, evaluation_publicity, evaluation_round
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor
from gongxin.market.evaluation_rules import rules

app = typer.Typer(help="行业信用评价 (industry credit evaluation)", no_args_is_help=True)


@app.command("evaluator")
@common.reports_errors
def evaluator(
    name: Annotated[str, typer.Argument(help="评价机构名称 (the organisation's name)")],
    code: Annotated[str, typer.Option(help="协会代码，3 位数字 (association code, 3 digits)")],
    kind: Annotated[str, typer.Option(help="association 行业协会 | agency 第三方评价机构")],
    filing_no: Annotated[str | None, typer.Option(help="备案编号 (filing number)")] = None,
) -> None:
    """登记评价机构 (register an evaluating organisation and its department)."""
    with common.engine().begin() as conn:
        org = evaluators.register(
            conn, name, code=code, kind=kind, filing_no=filing_no, now=common.now(), actor="cli"
        )
    common.out.print(
        f"已登记评价机构 {org.name}（{org.kind_zh}，协会代码 {org.code}）(evaluator registered); "
        f"开设账户: gongxin user add NAME --dept {org.name} --role evaluator --role dept_clerk"
    )


@app.command("evaluators")
@common.reports_errors
def list_evaluators(as_json: common.JsonOpt = False) -> None:
    """评价机构 (the evaluating organisations)."""
    with common.engine().connect() as conn:
        found = evaluators.all_evaluators(conn)
    if as_json:
        common.out.print_json(orjson.dumps([o.__dict__ for o in found]).decode())
        return
    out = Table("代码 code", "名称 name", "类型 kind", "备案编号 filing")
    for o in found:
        out.add_row(o.code, o.name, o.kind_zh, o.filing_no or "")
    common.out.print(out)


@app.command("rounds")
@common.reports_errors
def list_rounds(as_json: common.JsonOpt = False) -> None:
    """评价轮次 (every round, newest first)."""
    with common.engine().connect() as conn:
        found = evaluation_round.rounds(conn)
    if as_json:
        common.out.print_json(orjson.dumps(found, default=str).decode())
        return
    out = Table("编号 id", "轮次 round", "评价机构 evaluator", "状态 state", "公示至 until")
    for r in found:
        until = str(r["publicity_until"] or "")
        out.add_row(str(r["id"]), r["title"], r["evaluator"], r["state_zh"], until)
    common.out.print(out)


@app.command("publish")
@common.reports_errors
def publish(round_id: Annotated[int, typer.Argument(min=1, max=2**63 - 1)]) -> None:
    """发布评价结果 (publish a round after its 公示, as the credit centre)."""
    settings, now = common.settings(), common.now()
    with common.engine().begin() as conn:
        counts = evaluation_publicity.publish(
            conn,
            common.catalog(),
            rules(settings.evaluation_rules),
            round_id,
            actor=Actor("cli", None),
            as_of=local_date(now),
            now=now,
        )
    common.out.print(
        f"已发布：生效并发证 {counts['awarded']} 家，异议成立 {counts['sustained']} 家 "
        "(published: awarded, sustained)"
    )


@app.command("revocations")
@common.reports_errors
def revocations() -> None:
    """撤销被列入严重失信名单企业的证书 (revoke certificates of companies on serious lists)."""
    settings, now = common.settings(), common.now()
    with common.engine().begin() as conn:
        done = certificate_status.sweep(
            conn, common.catalog(), rules(settings.evaluation_rules), as_of=local_date(now), now=now
        )
    common.out.print(f"已撤销 {done} 张证书 (certificates revoked)")
