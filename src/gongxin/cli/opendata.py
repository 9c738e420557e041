"""``gongxin opendata``: the open datasets, and open-data keys with their quotas and rates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.opendata import keys
from gongxin.opendata.packages import packages

app = typer.Typer(help="开放数据 (open data)", no_args_is_help=True)
key_app = typer.Typer(help="开放数据密钥 (open-data keys)", no_args_is_help=True)
app.add_typer(key_app, name="key")

_STATES = {"active": "有效 active", "expired": "已过期 expired", "revoked": "已吊销 revoked"}


@app.command("list")
@common.reports_errors
def list_datasets(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出开放数据集 (list the open datasets with their organisation, group and last update)."""
    s = common.settings()
    table = Table(
        "代码 code", "名称 title", "组织 organization", "分组 group", "更新周期 cycle",
        "更新 modified",
    )  # fmt: skip
    with common.engine().connect() as conn:
        for pkg in packages(conn, common.catalog(), s):
            table.add_row(
                pkg.name,
                pkg.spec.name,
                pkg.organization.title,
                pkg.theme.name,
                pkg.spec.update_cycle,
                local_date(pkg.modified).isoformat(),
            )
    common.show(table, as_json, out_file)


@key_app.command("create")
@common.reports_errors
def key_create(
    holder: Annotated[str, typer.Argument(help="使用者名称 (who the key is for)")],
    quota_per_day: Annotated[
        int | None, typer.Option(help="每日请求配额 (requests per day; default from settings)")
    ] = None,
    rate_per_minute: Annotated[
        int | None, typer.Option(help="每分钟请求数 (requests per minute; default from settings)")
    ] = None,
    expires_days: Annotated[int | None, typer.Option(help="有效天数 (days until expiry)")] = None,
) -> None:
    """创建开放数据密钥，只显示一次 (create an open-data key; it is shown once)."""
    s = common.settings()
    with common.engine().begin() as conn:
        new = keys.create(
            conn,
            holder,
            now=common.now(),
            quota_per_day=s.opendata_quota_per_day if quota_per_day is None else quota_per_day,
            rate_per_minute=(
                s.opendata_rate_per_minute if rate_per_minute is None else rate_per_minute
            ),
            expires_days=expires_days,
        )
    common.err.print(f"{new.holder} 的开放数据密钥，仅显示这一次 (shown once):", markup=False)
    print(new.key)
    common.err.print(f"密钥前缀 (prefix, for revoking): {new.prefix}", markup=False)
    common.err.print(
        f"配额 (quota): {new.quota_per_day}/日 (day), {new.rate_per_minute}/分钟 (minute)"
    )
    if new.expires_at:
        common.err.print(f"到期 (expires): {common.china_time(new.expires_at)}")


@key_app.command("list")
@common.reports_errors
def key_list(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出开放数据密钥及今日用量 (list open-data keys with today's use; never the secrets)."""
    now = common.now()
    table = Table(
        "前缀 prefix", "使用者 holder", "日配额 quota/day", "今日已用 today", "每分钟 rate/min",
        "到期 expires", "状态 state",
    )  # fmt: skip
    with common.engine().connect() as conn:
        for k in keys.all_keys(conn, now=now):
            table.add_row(
                k.prefix, k.holder, str(k.quota_per_day), str(k.used_today),
                str(k.rate_per_minute),
                f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "长期 never", _STATES[k.state(now)],
            )  # fmt: skip
    common.show(table, as_json, out_file)


@key_app.command("revoke")
@common.reports_errors
def key_revoke(
    prefix: Annotated[str, typer.Argument(help="密钥前缀或密钥 (prefix, od_<prefix> or the key)")],
) -> None:
    """吊销开放数据密钥 (revoke an open-data key)."""
    with common.engine().begin() as conn:
        keys.revoke(conn, prefix, now=common.now())
    common.out.print(f"已吊销 (revoked) {prefix}")
