"""``gongxin catalog``: list the datasets, show a data dictionary, write an Excel template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from gongxin.catalog.registry import Catalog
from gongxin.catalog.template import write_template
from gongxin.errors import GongxinError, UnknownDataset

app = typer.Typer(
    help="数据目录：数据集定义、数据字典与 Excel 模板 (data catalog: specs, dictionary, templates)",
    no_args_is_help=True,
)

USAGE_ERROR = 2


def _catalog() -> Catalog:
    """The deployment's catalog (the one place the CLI loads it)."""
    from gongxin.cli import common

    return common.catalog()


def _fail(exc: GongxinError) -> typer.Exit:
    Console(stderr=True).print(exc.message, style="red", markup=False, highlight=False)
    return typer.Exit(USAGE_ERROR)


def _spec(code: str) -> DatasetSpec:
    try:
        return _catalog().get(code)
    except UnknownDataset as exc:
        raise _fail(exc) from None


@app.command("list")
def list_datasets() -> None:
    """列出数据目录中的全部数据集 (list every dataset in the catalog)."""
    table = Table(title="数据目录 (data catalog)")
    for header in ("代码", "名称", "公开范围", "共享类型", "开放", "字段数", "版本"):
        table.add_column(header, overflow="fold")
    for spec in _catalog().specs():
        table.add_row(
            spec.code,
            spec.name,
            spec.publicity_scope,
            spec.share_type,
            "是" if spec.open else "否",
            str(len(spec.fields)),
            spec.version,
        )
    Console().print(table)


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
