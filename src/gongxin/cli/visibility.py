"""``gongxin visibility``: the stored visibility decisions (records/decisions.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongxin.catalog.registry import Catalog, get_catalog
from gongxin.cli import common
from gongxin.records import recompute as service

app = typer.Typer(help="可见性决定 (stored visibility decisions)", no_args_is_help=True)


@app.command("recompute")
@common.reports_errors
def recompute(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只统计不写入 (report the changes, write nothing)")
    ] = False,
    regimes: Annotated[
        Path | None,
        typer.Option(
            "--regimes",
            help="公示期规则目录 (regimes folder; default GONGXIN_REGIMES_DIR or the packaged)",
        ),
    ] = None,
    after: Annotated[
        int, typer.Option("--after", help="从此记录号之后继续 (resume after this record id)")
    ] = 0,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=100_000, help="每批记录数 (records per batch)")
    ] = service.BATCH,
) -> None:
    """按现行规则重新判断全部记录的可见性 (judge every record again under the rules in force)."""
    folder = regimes if regimes is not None else common.settings().regimes_dir
    catalog = common.catalog() if regimes is None else _catalog_only()
    report = service.recompute(
        common.engine(), catalog, regimes_dir=folder, now=common.now(), dry_run=dry_run,
        after=after, size=batch,
    )  # fmt: skip
    title = "可见性重算 (visibility recompute)" + ("：预演 (dry run)" if dry_run else "")
    table = Table(title=title)
    table.add_column("项目 (what)")
    table.add_column("之前 (before)", justify="right")
    table.add_column("之后 (after)", justify="right")
    for key, (zh, en) in service.TALLIES.items():
        table.add_row(f"{zh} ({en})", str(report.before[key]), str(report.after[key]))
    common.out.print(table)
    common.out.print(f"判断记录 (records judged): {report.looked}", markup=False)
    verb = "将改变 (would change)" if dry_run else "已改变 (changed)"
    common.out.print(f"{verb}: {report.changed}", markup=False)
    for key, count in sorted(report.kinds.items()):
        zh, en = service.KINDS[key]
        common.out.print(f"  {zh} ({en}): {count}", markup=False)
    if report.unknown:
        common.out.print(
            f"未知数据集的记录，未改动 (records of unknown datasets, left): {report.unknown}",
            markup=False,
        )
    common.out.print(f"最后记录号 (last id): {report.last_id}", markup=False)


def _catalog_only() -> Catalog:
    return get_catalog(common.settings().catalog_dir)
