"""``gongxin memoranda`` and ``gongxin check --file``: memoranda and the bulk credit check."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.sanctions import files, memoranda

memoranda_app = typer.Typer(
    help="联合奖惩备忘录与措施 (memoranda and measures)", no_args_is_help=True
)


@memoranda_app.command("load")
@common.reports_errors
def load(
    file: Annotated[Path, typer.Argument(help="备忘录 YAML 文件 (memoranda file)")],
) -> None:
    """加载备忘录文件；同一编号再次加载即替换，旧版本保留并标记为已废止
    (load memoranda; loading an id again replaces it and keeps the old version superseded)."""
    if not file.is_file():
        raise InvalidInput(f"找不到文件：{file}", f"no such file: {file}")
    text = file.read_text(encoding="utf-8")
    with common.engine().begin() as conn:
        done = memoranda.load(
            conn, common.catalog(), text, str(file), now=common.now(), actor="cli"
        )
    for d in done:
        what = "替换 (replaced)" if d.replaced else "新增 (added)"
        common.out.print(f"{d.id} 第 {d.version} 版 (version {d.version}): {what}")


@memoranda_app.command("list")
@common.reports_errors
def list_memoranda(
    all_versions: Annotated[
        bool, typer.Option("--all", help="列出已加载的全部版本 (every stored version)")
    ] = False,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出现行备忘录及措施数 (list the memoranda in force)."""
    catalog = common.catalog()
    with common.engine().connect() as conn:
        if all_versions:
            table = Table("编号 id", "版本 version", "标题 title", "加载 loaded", "状态 state")
            for v in memoranda.versions(conn):
                state = "现行 current" if v["superseded_at"] is None else "已废止 superseded"
                table.add_row(v["id"], str(v["version"]), v["title"],
                              common.china_time(v["loaded_at"]), state)  # fmt: skip
            common.show(table, as_json, out_file)
            return
        book = memoranda.book(conn, catalog)
    table = Table("编号 id", "标题 title", "文号 doc no.", "名单 lists", "措施 measures", "来源")
    for m in book.memoranda:
        source = "内置 packaged" if m.version == 0 else f"已加载 loaded v{m.version}"
        table.add_row(
            m.id, m.title, m.doc_no, "、".join(m.list_types), str(len(m.measures)), source
        )
    common.show(table, as_json, out_file)


def check(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option("--file", help="主体文件：CSV/TXT/XLSX 第一列为代码或名称")
    ] = None,
    scene: Annotated[str | None, typer.Option(help="应用场景 (scene), e.g. 政府采购")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="结果文件 (result): .xlsx, .csv or .json")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="核查日期 YYYY-MM-DD (default today)")
    ] = None,
    requester: Annotated[str | None, typer.Option(help="核查人 (default: your login)")] = None,
    purpose: Annotated[str, typer.Option(help="用途 (purpose)")] = "批量信用核查",
    engine: Annotated[
        str | None,
        typer.Option(help="批量引擎 (batch engine): duckdb | spark (GONGXIN_ANALYTICS_ENGINE)"),
    ] = None,
    master: Annotated[
        str | None, typer.Option(help="Spark master, e.g. spark://host:7077 (GONGXIN_SPARK_MASTER)")
    ] = None,
) -> None:
    """信用核查 (credit checks): `gongxin check --file codes.csv --scene 政府采购 --out result.xlsx
    [--engine spark]` checks every subject of a file; the check is logged."""
    if ctx.invoked_subcommand is not None:
        return
    _check_file(file, scene, out, as_of, requester, purpose, engine, master)


@common.reports_errors
def _check_file(
    file: Path | None,
    scene: str | None,
    out: Path | None,
    as_of: str | None,
    requester: str | None,
    purpose: str,
    engine: str | None = None,
    master: str | None = None,
) -> None:
    if file is None or scene is None or out is None:
        raise InvalidInput(
            "请同时给出 --file、--scene 和 --out", "give --file, --scene and --out together"
        )
    now = common.now()
    settings = common.settings()
    try:
        day = date.fromisoformat(as_of) if as_of else local_date(now)
    except ValueError:
        raise InvalidInput(
            f"--as-of 须为 YYYY-MM-DD：{as_of}", "--as-of must be YYYY-MM-DD"
        ) from None
    done = files.check_file(
        common.engine(), common.catalog(), file, out, scene=scene, as_of=day, now=now,
        requester=requester or getpass.getuser(), purpose=purpose,
        engine_name=engine or settings.analytics_engine, master=master or settings.spark_master,
        grade_models=settings.evaluation_models,
    )  # fmt: skip
    common.out.print(
        f"核查编号 check {done.id}：{done.subjects:,} 个主体，{done.hits:,} 个命中名单，"
        f"{done.errors:,} 项有误；场景 {done.scene.name}，截至 {done.as_of.isoformat()}；"
        f"结果已写入 {done.out}"
    )
