"""``gongxin catalog``: list the datasets, show a data dictionary, write an Excel template."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from gongxin.catalog.dictionary import (
    COLUMNS,
    CURRENT,
    UnknownLayout,
    dataset_summary,
    dictionary_rows,
    layout_summary,
    layout_title,
)
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.quality import DEFAULT_SAMPLE, quality, quality_all
from gongxin.catalog.registry import Catalog
from gongxin.catalog.resources import entries, find_spec, write_xlsx
from gongxin.catalog.template import write_template
from gongxin.cli import common
from gongxin.cli.common import reports_errors
from gongxin.clock import local_date
from gongxin.errors import GongxinError, UnknownDataset

app = typer.Typer(
    help="数据目录：数据集定义、数据字典与 Excel 模板 (data catalog: specs, dictionary, templates)",
    no_args_is_help=True,
)

USAGE_ERROR = 2


def _catalog() -> Catalog:
    """The deployment's catalog (the one place the CLI loads it)."""
    return common.catalog()


def _fail(exc: GongxinError) -> typer.Exit:
    Console(stderr=True).print(
        exc.message, style="red", markup=False, highlight=False, soft_wrap=True
    )  # one line, however long: a script can read it
    return typer.Exit(USAGE_ERROR)


def _spec(code: str) -> DatasetSpec:
    try:
        return _catalog().get(code)
    except UnknownDataset as exc:
        raise _fail(exc) from None


@app.command("list")
@reports_errors
def list_datasets(
    q: Annotated[
        str | None, typer.Option("--q", "-q", help="检索：名称、代码、摘要、信息项名称")
    ] = None,
    classification: Annotated[
        str | None, typer.Option(help="分类码前缀或分类名称，如 104006 或 严重失信")
    ] = None,
    share_type: Annotated[
        str | None, typer.Option("--share-type", help="共享类型：无条件 / 有条件 / 不予")
    ] = None,
    open_: Annotated[
        bool | None, typer.Option("--open/--not-open", help="只列向社会开放（或不开放）的")
    ] = None,
    provider: Annotated[str | None, typer.Option(help="信息资源提供方名称或代码")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出数据目录中的数据集，可按分类、共享类型、开放、提供方筛选或检索 (list, filter, search)."""
    found = entries(
        _catalog(), q=q, classification=classification, share_type=share_type, open=open_,
        provider=provider,
    )  # fmt: skip
    specs = {spec.code: spec for spec in _catalog()}
    table = Table(title=f"数据目录 (data catalog)：{len(found)} 个信息资源")
    for header in ("代码 code", "名称 name", "信息资源代码 resource code", "提供方 provider",
                   "公开范围 publicity", "共享类型 share type", "开放 open"):  # fmt: skip
        table.add_column(header, overflow="fold")
    for header in ("更新周期 update cycle", "字段数 fields", "版本 version"):
        table.add_column(header, overflow="fold")
    for e in found:
        spec = specs[e.dataset]
        table.add_row(
            e.dataset, e.name, e.code, e.provider, e.publicity_scope, e.share_type,
            "是" if e.open else "否", e.update_cycle, str(len(e.items)), spec.version,
        )  # fmt: skip
    common.show(table, as_json, out_file)


@app.command("export")
@reports_errors
def export(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="输出的 .xlsx 文件 (output workbook)")
    ] = Path("catalog.xlsx"),
) -> None:
    """导出政务信息资源目录（xlsx：信息资源目录、信息项两张表）(export the resource catalog)."""
    written = write_xlsx(entries(_catalog()), out)
    Console().print(f"已导出目录 (catalog written)：{written}", markup=False, highlight=False)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@app.command("quality")
@reports_errors
def quality_report(
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="数据集代码")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="只算这个提供部门 (provider department)")
    ] = None,
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="截至日期，默认今天")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="只统计此日起收到的报送"),
    ] = None,
    sample: Annotated[
        int, typer.Option(min=0, help="填充率按最近 N 条记录计算，0 为全部")
    ] = DEFAULT_SAMPLE,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """数据质量：及时性、完整性、有效率、退回与提示行数 (data quality per dataset)."""
    catalog = _catalog()
    day = as_of.date() if as_of else local_date(common.now())
    start = since.date() if since else None
    with common.engine().connect() as conn:
        if dataset is not None:
            code = find_spec(catalog, dataset).code
            found = [
                quality(conn, catalog, code, as_of=day, department=department, since=start,
                        sample=sample)
            ]  # fmt: skip
        else:
            found = quality_all(
                conn, catalog, as_of=day, department=department, since=start, sample=sample
            )
    if as_json:
        sys.stdout.write(orjson.dumps([q.to_dict() for q in found]).decode() + "\n")
        return
    table = Table(title=f"数据质量 (data quality) 截至 {day.isoformat()}")
    for header in ("代码", "名称", "更新周期", "最近报送", "及时性", "有效率", "退回", "提示"):
        table.add_column(header, overflow="fold")
    for header in ("记录数", "完整性"):
        table.add_column(header, overflow="fold")
    for q in found:
        last = q.last_submission.isoformat() if q.last_submission else "—"
        table.add_row(
            q.dataset, q.name, q.update_cycle, last, q.status, _percent(q.validity),
            str(q.rejected), str(q.warnings), str(q.records), _percent(q.completeness),
        )  # fmt: skip
    Console().print(table)
    if dataset is not None:
        fills = Table(title=f"{found[0].name} 各字段填充率 (fill rate per field)")
        for header in ("字段代码", "中文名称", "必填", "已填", "填充率"):
            fills.add_column(header, overflow="fold")
        for f in found[0].fields:
            fills.add_row(
                f.code, f.name, "是" if f.required else "否", str(f.filled), _percent(f.rate)
            )
        Console().print(fills)


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="数据集代码，如 penalty (dataset code)")],
    layout: Annotated[
        str, typer.Option("--layout", "-l", help="格式：current 或旧格式名，如 legacy_2016")
    ] = CURRENT,
) -> None:
    """显示数据集的目录信息和数据字典 (show a dataset's metadata and data dictionary)."""
    spec = _spec(code)
    try:
        rows = dictionary_rows(spec, layout)
    except UnknownLayout as exc:
        raise _fail(exc) from None
    console = Console()
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold", no_wrap=True)
    meta.add_column(overflow="fold")
    for label, value in dataset_summary(spec):
        meta.add_row(label, value)
    console.print(meta)

    layouts = Table(title="格式 (layouts)")
    summary = layout_summary(spec)
    for header in summary[0]:
        layouts.add_column(header, overflow="fold")
    for entry in summary:
        layouts.add_row(*entry.values())
    console.print(layouts)

    table = Table(title=f"数据字典 (data dictionary)：{layout_title(spec, layout)}")
    for header in COLUMNS:
        table.add_column(header, overflow="fold")
    for entry in rows:
        table.add_row(*(entry[header] for header in COLUMNS))
    console.print(table)


@app.command("template")
def template(
    code: Annotated[str, typer.Argument(help="数据集代码，如 penalty (dataset code)")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="输出的 .xlsx 文件，默认 <代码>.xlsx (output file)"),
    ] = None,
    layout: Annotated[
        str, typer.Option("--layout", "-l", help="格式：current 或旧格式名，如 legacy_2016")
    ] = CURRENT,
) -> None:
    """生成数据集的 Excel 填报模板 (write the dataset's Excel template)."""
    spec = _spec(code)
    target = out if out is not None else Path(f"{spec.code}.xlsx")
    try:
        written = write_template(spec, target, layout)
    except UnknownLayout as exc:
        raise _fail(exc) from None
    Console().print(f"已生成模板 (template written)：{written}", markup=False, highlight=False)
