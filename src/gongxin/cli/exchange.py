"""``gongxin exchange``: providers, requests, grants and the change feed's expiry sweep."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table

from gongxin import clock
from gongxin.catalog import providers
from gongxin.cli import common
from gongxin.errors import InvalidInput, NotFound
from gongxin.exchange import expiry, grants, sharing_requests, warning_feed
from gongxin.identity import departments

app = typer.Typer(help="共享交换 (data sharing and exchange)", no_args_is_help=True)
provider_app = typer.Typer(help="数据集提供部门 (providers of datasets)", no_args_is_help=True)
app.add_typer(provider_app, name="provider")


@app.command("sweep")
@common.reports_errors
def sweep(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按此日期判断 (judge as of YYYY-MM-DD)")
    ] = None,
    recompute: Annotated[
        bool,
        typer.Option(
            "--recompute", help="公示规则变更后重新判断 (judge again after publicity rules change)"
        ),
    ] = False,
) -> None:
    """为不再有效的记录追加 expire 变更 (append expiries to the change feed; daily, idempotent)."""
    day = date.fromisoformat(as_of) if as_of else None
    with common.engine().begin() as conn:
        counts = expiry.sweep(
            conn, common.catalog(), now=common.now(), as_of=day, recompute=recompute
        )
    total = sum(counts.values())
    detail = "，".join(f"{k} {v}" for k, v in counts.items()) or "无"
    common.out.print(f"新增到期变更 (expiries added): {total}（{detail}）", markup=False)


@provider_app.command("set")
@common.reports_errors
def provider_set(
    dataset: Annotated[str, typer.Argument(help="数据集代码 (dataset code)")],
    department: Annotated[str, typer.Argument(help="部门名称 (department name)")],
) -> None:
    """指定数据集的提供部门 (make a department a provider of a dataset)."""
    with common.engine().begin() as conn:
        dept = providers.assign(conn, common.catalog(), dataset, department, now=common.now())
    common.out.print(f"{dataset} 的提供部门 (provider): {dept.name}", markup=False)


@provider_app.command("remove")
@common.reports_errors
def provider_remove(
    dataset: Annotated[str, typer.Argument(help="数据集代码 (dataset code)")],
    department: Annotated[str, typer.Argument(help="部门名称 (department name)")],
) -> None:
    """取消指定的提供部门 (remove an assigned provider)."""
    with common.engine().begin() as conn:
        providers.unassign(conn, dataset, department, now=common.now())
    common.out.print(f"已取消 (removed): {dataset} → {department}", markup=False)


@provider_app.command("list")
@common.reports_errors
def provider_list(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出各数据集的提供部门 (providers of every dataset)."""
    table = Table("数据集 dataset", "共享类型 share", "提供部门 providers")
    with common.engine().connect() as conn:
        for spec in common.catalog():
            names = "、".join(p.name for p in providers.providers_of(conn, spec.code))
            table.add_row(spec.code, spec.share_type, names)
    common.show(table, as_json, out_file)


@app.command("requests")
@common.reports_errors
def request_list(
    dept: Annotated[
        str | None, typer.Option(help="只看此部门提出的 (requests of a department)")
    ] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出共享申请，超期未答复的标注“超期” (list sharing requests; overdue ones flagged)."""
    today = clock.local_date(common.now())
    with common.engine().connect() as conn:
        if dept:
            found = sharing_requests.listing(
                conn, common.catalog(), departments.get(conn, dept), "mine"
            )
        else:
            found = sharing_requests._load(conn, [])
    table = Table("id", "申请部门", "数据集", "状态", "答复期限", "用途")
    for r in found:
        status = sharing_requests.STATUS_NAMES[r.status(today)]
        if r.overdue(today):
            status += "（超期）"
        table.add_row(
            str(r.id), r.department.name, r.dataset, status, r.deadline.isoformat(), r.purpose
        )
    common.show(table, as_json, out_file)


@app.command("approve")
@common.reports_errors
def approve(
    request_id: Annotated[int, typer.Argument(help="申请编号 (request id)")],
    note: Annotated[str | None, typer.Option(help="答复意见 (note)")] = None,
) -> None:
    """以信用中心名义同意申请 (approve a request as the credit centre)."""
    with common.engine().begin() as conn:
        centre = _centre(conn)
        done = sharing_requests.approve(
            conn, request_id, centre, now=common.now(), actor="cli", note=note
        )
    common.out.print(f"已同意 (approved) {done.id}，授权 (grant) {done.grant_id}", markup=False)


@app.command("refuse")
@common.reports_errors
def refuse(
    request_id: Annotated[int, typer.Argument(help="申请编号 (request id)")],
    reasons: Annotated[str, typer.Option(help="拒绝理由 (reasons, required)")],
) -> None:
    """以信用中心名义拒绝申请 (refuse a request as the credit centre, with reasons)."""
    with common.engine().begin() as conn:
        done = sharing_requests.refuse(
            conn, request_id, _centre(conn), reasons=reasons, now=common.now(), actor="cli"
        )
    common.out.print(f"已拒绝 (refused) {done.id}", markup=False)


@app.command("share-warnings")
@common.reports_errors
def share_warnings(
    department: Annotated[str, typer.Argument(help="部门名称 (department)")],
    purpose: Annotated[str, typer.Option(help="用途 (purpose, required)")],
    until: Annotated[
        str | None, typer.Option(help="最后使用日 YYYY-MM-DD (last day of use; default: open)")
    ] = None,
) -> None:
    """向部门共享信用中心已确认的预警 (share confirmed warnings with a department)."""
    now = common.now()
    try:
        last = date.fromisoformat(until) if until else None
    except ValueError:
        raise InvalidInput(
            f"--until 须为日期 YYYY-MM-DD，收到 {until}", f"--until must be YYYY-MM-DD: {until!r}",
            field="until", value=until,
        ) from None  # fmt: skip
    with common.engine().begin() as conn:
        grant = warning_feed.share(
            conn, departments.get(conn, department), purpose=purpose,
            valid_from=clock.local_date(now), valid_until=last, actor="cli", now=now,
        )  # fmt: skip
    common.out.print(
        f"已共享预警 (shared) 授权 (grant) {grant.id}：{department}，用途 {grant.purpose}；"
        f"GET /api/v1/exchange/warnings；终止：gongxin exchange revoke-grant {grant.id}",
        markup=False,
    )


@app.command("revoke-grant")
@common.reports_errors
def revoke_grant(grant_id: Annotated[int, typer.Argument(help="授权编号 (grant id)")]) -> None:
    """立即终止一项授权 (end a grant at once)."""
    with common.engine().begin() as conn:
        grant = grants.revoke(conn, grant_id, now=common.now())
    common.out.print(f"已终止授权 (revoked) {grant.id}（{grant.dataset}）", markup=False)


def _centre(conn: sa.Connection) -> departments.Department:
    for d in departments.all_departments(conn):
        if d.kind == "centre":
            return d
    raise NotFound(
        "尚未登记信用中心部门（gongxin dept add … --kind centre）",
        "no credit-centre department is registered",
    )
