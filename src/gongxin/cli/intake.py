"""``gongxin ingest``, ``rejects`` and ``unlinked``."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from gongxin.cli import common
from gongxin.intake import rejects as rejects_export
from gongxin.intake.pipeline import Summary, get_submission
from gongxin.intake.pipeline import ingest as ingest_file
from gongxin.intake.readers.limits import ReadLimits
from gongxin.subjects import linkage


def _show(summary: Summary) -> None:
    table = Table(title=f"提交 (submission) {summary.submission_id}  {summary.file_name}")
    for col in (
        "行数 rows",
        "新增 accepted",
        "更正 updated",
        "重复 duplicates",
        "退回 rejected",
        "待关联 unlinked",
    ):
        table.add_column(col, justify="right")
    table.add_row(
        *(
            str(x)
            for x in (
                summary.rows,
                summary.accepted,
                summary.updated,
                summary.duplicates,
                summary.rejected,
                summary.unlinked,
            )
        )
    )
    common.out.print(table)
    if summary.already_processed:
        common.out.print("该文件此前已处理，本次未做任何更改 (already processed: nothing changed)")
    for note in summary.notes:
        common.out.print(f"提示 (note): {note}")
    if summary.unknown_columns:
        common.out.print(f"未识别的列 (unknown columns): {'、'.join(summary.unknown_columns)}")
    if summary.warnings:
        common.out.print(
            f"有提示的行 (rows with warnings): {summary.warnings}；"
            f"查看 (see): gongxin warnings {summary.submission_id}"
        )
    if summary.rejected:
        common.out.print(
            f"导出退回行 (export rejects): gongxin rejects {summary.submission_id} "
            "--out errors.xlsx"
        )


def _advance(bar: Progress, task: TaskID, rows: int) -> None:
    bar.update(task, completed=rows)


@common.reports_errors
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="数据文件 (files: CSV, XLSX, XLS, JSON, JSONL)", exists=True, dir_okay=False
        ),
    ],
    dataset: Annotated[
        str, typer.Option(help="数据集代码 (dataset code, see gongxin catalog list)")
    ],
    provider: Annotated[str, typer.Option(help="提供部门名称 (providing department)")],
    encoding: Annotated[str | None, typer.Option(help="声明的编码 (declared encoding)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出摘要 (print JSON)")] = False,
    backload: Annotated[
        bool,
        typer.Option(
            "--backload",
            help="存量补录：历史数据，不计入双公示及时率 (historical back-load, not judged "
            "for timeliness)",
        ),
    ] = False,
) -> None:
    """导入部门数据文件 (ingest department files)."""
    engine, catalog, settings = common.engine(), common.catalog(), common.settings()
    summaries = []
    for path in paths:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} 行 rows"),
            TimeElapsedColumn(),
            console=common.err,
            transient=True,
            disable=as_json or not common.is_terminal(),
        ) as bar:
            task = bar.add_task(f"导入 {path.name}", total=None)
            summary = ingest_file(
                engine,
                catalog,
                path,
                dataset=dataset,
                provider=provider,
                as_of=common.now(),
                declared_encoding=encoding,
                batch_rows=settings.intake_batch_rows,
                limits=ReadLimits.of(settings),
                progress=functools.partial(_advance, bar, task),
                backload=backload,
            )
        summaries.append(summary)
        if not as_json:
            _show(summary)
    if as_json:
        payload = [s.to_dict() for s in summaries]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False))


@common.reports_errors
def rejects(
    submission_id: Annotated[str, typer.Argument(help="提交编号 (submission id)")],
    out: Annotated[Path, typer.Option(help="输出文件 errors.xlsx 或 errors.csv (output file)")],
) -> None:
    """导出退回的行及错误说明 (export rejected rows with their errors)."""
    with common.engine().connect() as conn:
        count = rejects_export.export(conn, submission_id, out, common.catalog())
    common.out.print(f"已导出 {count} 行到 {out} (exported {count} rejected rows)")


@common.reports_errors
def unlinked(
    dataset: Annotated[str | None, typer.Option(help="数据集代码 (dataset code)")] = None,
    limit: Annotated[int, typer.Option(help="最多显示行数 (rows to show)")] = 50,
    offset: Annotated[int, typer.Option(help="跳过行数 (rows to skip)")] = 0,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出待关联记录 (list records not linked to any subject)."""
    with common.engine().connect() as conn:
        total = linkage.count_unlinked(conn, dataset)
        items = linkage.list_unlinked(conn, dataset, limit=limit, offset=offset)
    table = Table(
        "记录 id",
        "数据集 dataset",
        "主体名称 name",
        "代码类型 kind",
        "代码 code",
        "提交 submission",
        "行 row",
        title=f"待关联记录 (unlinked records): {total}",
    )
    for u in items:
        table.add_row(
            str(u.record_id),
            u.dataset,
            u.subject_name or "",
            u.link_kind or "",
            u.link_code or "",
            u.submission_id,
            str(u.row_no),
        )
    common.show(table, as_json, out_file)


@common.reports_errors
def warnings(
    submission_id: Annotated[str, typer.Argument(help="提交编号 (submission id)")],
    limit: Annotated[int, typer.Option(help="最多显示行数 (rows to show)")] = 200,
    offset: Annotated[int, typer.Option(help="跳过行数 (rows to skip)")] = 0,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出已接收但有提示的行 (list accepted rows that carry warnings)."""
    with common.engine().connect() as conn:
        summary = get_submission(conn, submission_id)
        flagged = rejects_export.warnings_of(conn, submission_id, limit=limit, offset=offset)
    table = Table(
        "行 row",
        "字段 field",
        "值 value",
        "提示 warning",
        title=f"提示 (warnings): {summary.warnings} 行 rows, {summary.file_name}",
    )
    for row_no, problems in flagged:
        for p in problems:
            table.add_row(str(row_no), f"{p.name} {p.field}", p.value, f"{p.zh}（{p.en}）")
    common.show(table, as_json, out_file)
