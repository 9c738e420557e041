"""``gongxin evaluate`` (credit evaluation runs and their comparison) and ``gongxin risk``
(信用风险分类 and the 双随机 draw)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongxin.analytics import backtest, evaluation, evaluation_compare, evaluation_model, risk
from gongxin.analytics.evaluation import RunSummary
from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.errors import InvalidInput

evaluate_app = typer.Typer(
    help="信用评价 (credit evaluation: run a model, compare runs)", no_args_is_help=False
)
risk_app = typer.Typer(help="信用风险分类与双随机抽查 (risk classes and inspection draws)",
                       no_args_is_help=True)  # fmt: skip

EngineOption = Annotated[
    str | None, typer.Option(help="duckdb | spark (default: GONGXIN_ANALYTICS_ENGINE)")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="评价日期 YYYY-MM-DD (default: today)")
]


def _day(text: str | None) -> date:
    if text is None:
        return local_date(common.now())
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--as-of 须为 YYYY-MM-DD 日期：{text[:40]}", f"--as-of must be YYYY-MM-DD: {text[:40]}"
        ) from None


def _models() -> dict[str, evaluation_model.EvaluationModel]:
    return evaluation_model.load_models(common.catalog(), common.settings().models_dir)


def run_model(code: str, as_of: str | None, engine: str | None) -> RunSummary:
    settings = common.settings()
    model = evaluation_model.get_model(code, common.catalog(), settings.models_dir)
    summary = evaluation.evaluate(
        common.engine(), model, as_of=_day(as_of), now=common.now(),
        engine=engine or settings.analytics_engine, master=settings.spark_master,
        work_dir=settings.var_dir if settings.var_dir.is_dir() else None,
    )  # fmt: skip
    table = Table("等级 grade", "主体数 subjects")
    for grade, n in summary.grades.items():
        table.add_row(grade, f"{n:,}")
    common.out.print(
        f"评价 run {summary.run_id}: {summary.model}@{summary.version} as of {summary.as_of} "
        f"on {summary.engine}: {summary.subjects:,} subjects, {summary.records:,} records counted"
    )
    common.out.print(table)
    return summary


@common.reports_errors
def evaluate(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option(help="评价模型代码 (model code)")] = None,
    as_of: AsOfOption = None,
    engine: EngineOption = None,
) -> None:
    """运行评价模型 (run a model over a snapshot of the store and keep the results)."""
    if ctx.invoked_subcommand is not None:
        return
    if model is None:
        table = Table("模型 model", "版本 version", "类型 kind", "名称 name", "生效 from")
        for m in _models().values():
            table.add_row(m.code, m.version, m.kind, m.name, str(m.effective_from))
        common.out.print(table)
        common.out.print("gongxin evaluate --model CODE [--as-of YYYY-MM-DD] 运行 (to run)")
        return
    run_model(model, as_of, engine)


@evaluate_app.command("compare")
@common.reports_errors
def compare(
    model: Annotated[str, typer.Option(help="评价模型代码 (model code)")],
    run: Annotated[int | None, typer.Option(help="评价编号 (default: the current run)")] = None,
    against: Annotated[
        int | None, typer.Option(help="与之比较的评价编号 (default: the run before)")
    ] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """比较两次评价：谁的等级变了，为什么 (who moved between two runs, and why)."""
    with common.engine().connect() as conn:
        result = evaluation_compare.compare(conn, model, run_id=run, against=against)
    common.out.print(f"{result.model}: run {result.before} → run {result.after}: "
                     f"{len(result.moves):,} subjects changed grade")  # fmt: skip
    table = Table("主体 subject", "等级 grade", "得分 score", "原因 why")
    for m in result.moves:
        why = "; ".join(
            f"{r.indicator} {r.before}→{r.after}"
            + (f" +{r.records_added}" if r.records_added else "")
            + (f" −{r.records_removed}" if r.records_removed else "")
            for r in m.reasons
        )
        table.add_row(
            f"{m.name} ({m.subject_id})", f"{m.grade_before or '—'} → {m.grade_after or '—'}",
            f"{m.score_before or '—'} → {m.score_after or '—'}", why or "—",
        )  # fmt: skip
    common.show(table, as_json, out_file)


@risk_app.command("classify")
@common.reports_errors
def classify(
    model: Annotated[str, typer.Option(help="风险分类模型代码 (risk model code)")] = "samr_risk",
    as_of: AsOfOption = None,
    engine: EngineOption = None,
) -> None:
    """信用风险分类 (classify subjects into risk classes: a run of a risk model)."""
    found = evaluation_model.get_model(model, common.catalog(), common.settings().models_dir)
    if found.kind != "risk":
        raise InvalidInput(
            f"模型 {model} 不是信用风险分类模型", f"model {model} is not a risk model"
        )
    run_model(model, as_of, engine)


@risk_app.command("draw")
@common.reports_errors
def draw(
    task: Annotated[str, typer.Option(help="抽查任务名称 (inspection task)")],
    seed: Annotated[str, typer.Option(help="随机种子 (seed; the same seed gives the same draw)")],
    model: Annotated[str, typer.Option(help="风险分类模型代码")] = "samr_risk",
    run: Annotated[int | None, typer.Option(help="分类评价编号 (default: the current run)")] = None,
    out: Annotated[Path | None, typer.Option(help="导出 CSV 文件 (export for inspectors)")] = None,
    actor: Annotated[str, typer.Option(help="操作人 (recorded in the audit log)")] = "cli",
) -> None:
    """双随机抽查：按风险分类和抽查比例抽取检查对象 (draw inspection targets per class)."""
    store = common.engine()
    with store.begin() as conn:
        if run is None:
            current = evaluation.current_run(conn, model)
            if current is None:
                raise InvalidInput(
                    f"模型 {model} 尚无分类结果：先运行 gongxin risk classify",
                    f"model {model} has no run yet: run gongxin risk classify first",
                )
            run = int(current.id)
        made = risk.draw(conn, run, task=task, seed=seed, actor=actor, now=common.now())
        csv_text = risk.export_csv(conn, made.id) if out is not None else ""
    table = Table("分类 class", "主体数 subjects", "抽取 drawn")
    for grade, ids in made.drawn.items():
        table.add_row(grade, f"{made.population[grade]:,}", f"{len(ids):,}")
    common.out.print(f"抽查 draw {made.id} from run {made.run_id}, seed {made.seed!r}")
    common.out.print(table)
    if out is not None:
        out.write_text(csv_text, encoding="utf-8-sig")
        common.out.print(f"已导出 (exported) {out}")


@evaluate_app.command("backtest")
@common.reports_errors
def backtest_command(
    model: Annotated[str, typer.Option(help="评价模型代码 (model code)")],
    run: Annotated[int | None, typer.Option(help="评价编号 (default: the current run)")] = None,
    horizon: Annotated[int, typer.Option(help="观察天数 (days after the run's date)")] = 365,
    events: Annotated[
        str, typer.Option(help="失信事件数据集，逗号分隔 (event datasets, comma-separated)")
    ] = ",".join(backtest.EVENTS),
    out: Annotated[Path | None, typer.Option(help="HTML 报告（含图表）(report with chart)")] = None,
) -> None:
    """回测：等级对此后失信事件的预见能力 (default rate per grade, monotonicity, AUC)."""
    wanted = [e.strip() for e in events.split(",") if e.strip()]
    catalog = common.catalog()
    for name in wanted:
        catalog.get(name)  # unknown dataset → named error with the known ones
    with common.engine().connect() as conn:
        if run is None:
            current = evaluation.current_run(conn, model)
            if current is None:
                raise InvalidInput(f"模型 {model} 尚无评价", f"model {model} has no run yet")
            run = int(current.id)
        result = backtest.run(conn, run, horizon_days=horizon, events=wanted)
    table = Table("等级 grade", "主体 subjects", "违约 defaults", "违约率 rate")
    for r in result.grades:
        table.add_row(r.grade, f"{r.subjects:,}", f"{r.defaults:,}", f"{r.rate:.2%}")
    common.out.print(f"{result.model}@{result.version} run {result.run_id}: {result.as_of} → "
                     f"{result.until}")  # fmt: skip
    common.out.print(table)
    shown_auc = "—" if result.auc is None else f"{result.auc:.3f}"
    common.out.print(f"AUC {shown_auc}; monotonic {'yes' if result.monotonic else 'no'}")
    if out is not None:
        out.write_text(backtest.report_html(result), encoding="utf-8")
        common.out.print(f"报告 (report) {out}")
