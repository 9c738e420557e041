"""``gongxin demo``: generate realistic synthetic department files and load them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from gongxin.analytics import evaluation
from gongxin.analytics.evaluation_model import load_models
from gongxin.approval.matters import load as load_matters
from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.db import migrate
from gongxin.demo import applications as demo_applications
from gongxin.demo import approval as demo_approval
from gongxin.demo import checks as demo_checks
from gongxin.demo import complaints as demo_complaints
from gongxin.demo import generate, load
from gongxin.demo import market_access as demo_market
from gongxin.demo import ratings as demo_ratings
from gongxin.demo import sharing as demo_sharing
from gongxin.demo import simulations as demo_simulations
from gongxin.demo import trace as demo_trace
from gongxin.demo.generate import DemoFile
from gongxin.intake.pipeline import Summary
from gongxin.market import complaint_service
from gongxin.market.evaluation_rules import rules as rating_rules
from gongxin.workflows.deadlines import jurisdiction

_COUNTS = ("rows", "accepted", "updated", "duplicates", "rejected", "unlinked")
_HEADS = ("行数", "新增", "更正", "重复", "退回", "待关联")
WIDE = 140  # columns used when the output is not a terminal (a log, a pipe)


def _table(files: list[DemoFile], summaries: list[Summary]) -> Table:
    declared = {f.path.name: f.defects for f in files}
    table = Table(title="演示数据导入结果 (demo data loaded)", box=box.SIMPLE_HEAD)
    table.add_column("数据集\ndataset", no_wrap=True, min_width=25)
    table.add_column("提供部门\nprovider", no_wrap=True, min_width=22)
    for zh, en in zip(_HEADS, _COUNTS, strict=True):
        table.add_column(f"{zh}\n{en}", justify="right")
    table.add_column("预置缺陷\ndefects", justify="right")
    totals = dict.fromkeys(_COUNTS, 0)
    for s in summaries:
        counts = [getattr(s, c) for c in _COUNTS]
        for c, n in zip(_COUNTS, counts, strict=True):
            totals[c] += n
        defects = declared.get(s.file_name)
        table.add_row(
            s.dataset, s.provider, *map(str, counts), "" if defects is None else str(defects)
        )
    table.add_section()
    table.add_row("合计 total", "", *(str(totals[c]) for c in _COUNTS), str(sum(declared.values())))
    return table


@common.reports_errors
def demo(
    subjects: Annotated[
        int, typer.Option(help="主体数量 (number of market entities)", min=10)
    ] = 2000,
    seed: Annotated[int, typer.Option(help="随机种子 (seed: same seed, same files)")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="演示文件目录 (folder for the files; default <var_dir>/demo)"),
    ] = None,
) -> None:
    """生成并导入演示数据 (generate synthetic department files and load them)."""
    settings = common.settings()
    folder = out if out is not None else settings.var_dir / "demo"
    moment = common.now()
    engine = common.engine()
    try:
        migrate.upgrade(engine)
        catalog = common.catalog()
        files = generate(folder, subjects=subjects, seed=seed, as_of=moment.date(), catalog=catalog)
        common.out.print(f"已生成 {len(files)} 个文件于 {folder} (files written)")
        with common.err.status("导入演示数据 (loading)…") as status:
            summaries = load(
                engine,
                catalog,
                files,
                as_of=moment,
                on_file=lambda f: status.update(f"导入 (loading) {f.path.name}…"),
            )
            status.update("演示核查与反馈 (demo checks and feedback)…")
            made = demo_checks.run(engine, catalog, now=moment, seed=seed)
            status.update("演示共享申请 (demo sharing requests)…")
            shared = demo_sharing.run(
                engine, catalog, now=moment, reply_days=settings.exchange_reply_working_days
            )
            status.update("演示异议与信用修复 (demo objections and repairs)…")
            applied = demo_applications.run(
                engine, catalog, now=moment, var_dir=settings.var_dir,
                rules=jurisdiction(settings.jurisdiction, settings.workflow_rules),
            )  # fmt: skip
            status.update("演示可信标识与征信机构 (demo trust marks and credit agency)…")
            market = demo_market.run(engine, catalog, settings, now=moment, seed=seed)
            status.update("演示信用投诉 (demo credit complaints)…")
            demo_complaints.run(
                engine, catalog, complaint_service.rules(settings), now=moment,
                base_url=settings.public_base_url, var_dir=settings.var_dir,
            )  # fmt: skip
            status.update("演示并联审批与产品溯源 (demo approvals and trace chains)…")
            approvals = demo_approval.run(
                engine, catalog, load_matters(catalog, settings.approval_matters), now=moment
            )
            traced = demo_trace.run(engine, catalog, folder, now=moment)
            status.update("演示行业信用评价 (demo industry evaluation rounds)…")
            rated = demo_ratings.run(
                engine, catalog, rating_rules(settings.evaluation_rules), now=moment,
                objection_rules=jurisdiction(settings.jurisdiction, settings.workflow_rules),
                var_dir=settings.var_dir,
            )  # fmt: skip
            status.update("演示信用评价 (demo evaluation runs)…")
            models = load_models(catalog, settings.models_dir)
            evaluated = [
                evaluation.evaluate(engine, models[code], as_of=local_date(moment), now=moment)
                for code in settings.evaluation_models
                if code in models and models[code].in_effect(local_date(moment))
            ]
            status.update("演示仿真 (demo simulations of a rule change)…")
            simulated = demo_simulations.run(engine, catalog, settings, now=moment)
    finally:
        engine.dispose()
    # A terminal gets the table at its width; a log or a pipe gets it wide enough to read.
    console = common.out if common.out.is_terminal else Console(width=WIDE)
    console.print(_table(files, summaries))
    if made:
        common.out.print(f"已生成 {made} 次演示核查及其反馈 (demo credit checks with feedback)")
    if shared:
        common.out.print(
            f"已生成 {len(shared)} 件演示共享申请：待答复（超期）、已同意（含授权）、已拒绝 "
            "(demo sharing requests: pending and overdue, approved with a grant, refused)"
        )
    if applied:
        common.out.print(
            f"已生成 {len(applied)} 件演示异议与信用修复申请："
            "准予、不予、退回补正、待办（含逾期）、异议处理中（含延长期限）、维持、撤销 "
            "(demo objections and repairs: granted, refused, returned, open and overdue, "
            "pending and extended, upheld, withdrawn)"
        )
    if market.agency:
        common.out.print(
            f"已颁发 {len(market.marks)} 个演示可信标识（其中 1 个已撤销），登记征信机构"
            f"“{market.agency}”并记录 {market.queries} 次查询 (demo trust marks and an agency; "
            "see /admin/marks and /admin/agencies)"
        )
    if approvals:
        common.out.print(
            f"已生成 {len(approvals)} 件演示并联审批申请：全部准予、一个部门不予、"
            "审查中（含逾期）、容缺受理、告知承诺 (demo parallel approvals)"
        )
    if traced is not None:
        common.out.print(f"已导入演示追溯链条 {traced.accepted} 条记录 (demo trace records)")
    if rated:
        common.out.print(
            f"行业信用评价：{demo_ratings.ASSOCIATION} 的 {rated['rounds']} 个评价轮次，"
            f"已发证 {rated['awarded']} 家（自动撤销 {rated['revoked']} 家），公示中 "
            f"{rated['in_publicity']} 家（含 1 件待办异议）；/industry-evaluations "
            "(demo industry evaluation: a published round and one in 公示)"
        )
    for run in evaluated:
        common.out.print(
            f"信用评价 (evaluation) {run.model}: {run.subjects} 个主体 (subjects) "
            + "，".join(f"{g} {n}" for g, n in run.grades.items())
        )
    if simulated:
        common.out.print(
            f"已保存 {len(simulated)} 次演示仿真：现行公示期规则与一项征求意见稿 "
            "(demo simulations: the regimes in force and a proposal) → /admin/simulations"
        )
    if evaluated and not settings.evaluation_publish:
        common.out.print(
            "门户公开等级：设置 GONGXIN_EVALUATION_PUBLISH='[\"shandong_1000\"]' "
            "(to show grades on subject pages); 后台 /admin/evaluation 显示等级分布"
        )
    if any(s.already_processed for s in summaries):
        common.out.print("部分文件此前已导入，未做更改 (some files were already loaded: unchanged)")
