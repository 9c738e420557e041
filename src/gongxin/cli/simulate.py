"""``gongxin simulate``: dry runs of a rule change (仿真), and the saved reports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.simulation import service
from gongxin.simulation.report import KINDS

app = typer.Typer(help="仿真：规则变更的预演 (simulate a rule change)", no_args_is_help=True)

KIND_HELP = "规则类型 (kind): " + ", ".join(f"{k} = {zh}" for k, (zh, _) in KINDS.items())


def _print(report: dict[str, Any], as_json: bool, saved: int | None = None) -> None:
    if as_json:
        common.out.print_json(json.dumps(report | {"id": saved}, ensure_ascii=False))
        return
    title = f"仿真 (simulation)：{report['kind_zh']} {report['source']}（{report['as_of']}）"
    table = Table(title=title)
    table.add_column("变化 (change)")
    table.add_column("数量 (count)", justify="right")
    for c in report["counts"]:
        table.add_row(f"{c['zh']} ({c['en']})", str(c["count"]))
    common.out.print(table)
    common.out.print(
        f"判断 (judged): {report['looked']}；变化合计 (changes): {report['changed']}；"
        f"引擎 (engine): {report['engine']}；摘要 (SHA-256): {report['digest'][:16]}…",
        markup=False,
    )
    if report["examples"]:
        examples = Table(title="示例 (examples)")
        for header in ("变化 change", "主体 subject", "对象 what", "之前 before", "之后 after"):
            examples.add_column(header, overflow="fold")
        labels = {c["change"]: c["zh"] for c in report["counts"]}
        for e in report["examples"]:
            examples.add_row(labels[e["change"]], e["subject"], e["what"], e["before"], e["after"])
        common.out.print(examples)
    for note in report["notes"]:
        common.out.print(f"注 (note): {note}", markup=False)
    if saved is not None:
        common.out.print(f"已保存 (saved) 仿真 #{saved}", markup=False)


@app.command("run")
@common.reports_errors
def run(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    path: Annotated[
        Path, typer.Argument(help="拟议规则：regimes 为目录，其余为 YAML 文件 (folder or file)")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="仿真日期 YYYY-MM-DD (default: today, China)")
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="duckdb 或 spark (default: the setting)")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="保存报告以便比较 (keep the report)")
    ] = False,
    label: Annotated[str, typer.Option("--label", help="保存时的名称 (name to save under)")] = "",
    as_json: common.JsonOpt = False,
) -> None:
    """预演一项规则变更，不改动任何数据 (dry-run a rule change; nothing is changed)."""
    now = common.now()
    day = date.fromisoformat(as_of) if as_of else local_date(now)
    sim = service.run(
        common.engine(), common.catalog(), common.settings(), kind, path, as_of=day, now=now,
        engine=engine,
    )  # fmt: skip
    saved = None
    if save:
        with common.engine().begin() as conn:
            saved = service.save(conn, sim, label=label, actor="cli", now=now)
    _print(sim.to_dict(), as_json, saved)


@app.command("list")
@common.reports_errors
def listing(
    kind: Annotated[str | None, typer.Option("--kind", help=KIND_HELP)] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出已保存的仿真 (list saved simulations)."""
    with common.engine().connect() as conn:
        found = service.listing(conn, kind=kind, page=page)
    table = Table(title=f"已保存的仿真 (saved simulations)：{len(found)}")
    for header in ("编号 id", "名称 label", "类型 kind", "日期 as of", "判断 judged",
                   "变化 changes", "保存时间 saved at"):  # fmt: skip
        table.add_column(header, overflow="fold")
    for s in found:
        table.add_row(
            str(s.id), s.label, KINDS[s.kind][0], s.as_of.isoformat(), str(s.looked),
            str(s.changed), common.china_time(s.created_at),
        )  # fmt: skip
    common.show(table, as_json, out_file)


@app.command("show")
@common.reports_errors
def show(
    simulation_id: Annotated[int, typer.Argument(min=1, max=2**62, help="仿真编号 (id)")],
    as_json: common.JsonOpt = False,
) -> None:
    """显示一次已保存的仿真 (show a saved simulation)."""
    with common.engine().connect() as conn:
        found = service.get(conn, simulation_id)
    common.out.print(f"#{found.id} {found.label}", markup=False)
    _print(found.report, as_json)
