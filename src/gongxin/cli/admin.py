"""``gongxin init``, ``serve``, ``dept`` and ``key``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.db import migrate
from gongxin.db.engine import connections_short
from gongxin.errors import InvalidInput
from gongxin.identity import authorities, departments, keys
from gongxin.identity.roles import SCOPE_NAMES, Scope

if TYPE_CHECKING:
    from fastapi import FastAPI

    from gongxin.settings import Settings

dept_app = typer.Typer(help="部门管理 (departments)", no_args_is_help=True)
key_app = typer.Typer(help="API 密钥 (API keys)", no_args_is_help=True)


@common.reports_errors
def init() -> None:
    """初始化数据库、报告签章证书与报告字体 (schema; signing certificate; report font).

    The demo certificate that signs credit reports is made when none is installed; the
    compact Chinese font of the PDF reports is made from the system's Noto Sans CJK."""
    revision = migrate.upgrade(common.engine())
    common.out.print(f"数据库已就绪 (schema ready): revision {revision}")
    _signing_certificate()
    _report_font()


def _report_font() -> None:
    from gongxin.documents import fonts

    made = fonts.report_font(common.settings().var_dir)
    if made is None:
        common.out.print(
            "[yellow]未能生成报告用精简字体，报告将使用完整的 Noto Sans CJK 字体（较慢）"
            "(no compact report font: reports use the full Noto Sans CJK, slower)[/yellow]"
        )
    else:
        common.out.print(f"报告字体 (report font): {made}", markup=False)


def _signing_certificate() -> None:
    from gongxin.reports import signing

    settings = common.settings()
    if not signing.configured(settings) and settings.env != "production":
        made = signing.ensure_demo(settings, settings.report_issuer, common.now())
        if made is not None:
            common.out.print(
                f"已生成演示用自签名报告签章证书 (made a self-signed demo certificate for "
                f"signing reports): {made}",
                markup=False,
            )
    elif not signing.configured(settings):
        common.out.print(
            "[yellow]未配置报告签章证书：请设置 GONGXIN_REPORT_SIGN_KEY_FILE，见 docs/reports.md "
            "(no report signing certificate: set GONGXIN_REPORT_SIGN_KEY_FILE)[/yellow]"
        )
        return
    cert = signing.describe(settings)
    note = "，自签名，仅供演示 (self-signed: demo only)" if cert["self_signed"] == "yes" else ""
    common.out.print(
        f"报告签章证书 (report signing certificate): {cert['subject']}，有效期至 "
        f"{cert['not_after'][:10]}{note}",
        markup=False,
    )


def web_app() -> FastAPI:
    """The app of this process's settings: the factory each ``serve --workers`` process calls
    (uvicorn starts workers from an import string, ``gongxin.cli.admin:web_app``)."""
    from gongxin.web.app import create_app

    return create_app(common.settings())


@common.reports_errors
def serve(
    host: Annotated[str, typer.Option(help="监听地址 (address to listen on)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 (port)")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="工作进程数，多于 1 个仅限 PostgreSQL (worker processes; >1: PostgreSQL only)",
        ),
    ] = 1,
) -> None:
    """启动 Web 服务与 API (run the web server and JSON API)."""
    import uvicorn

    settings = common.settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        raise InvalidInput(
            f"--workers {workers}：SQLite 库只允许一个写入进程，多进程服务请使用 PostgreSQL",
            f"--workers {workers}: a SQLite store allows one writing process; "
            "serve several workers on PostgreSQL",
        )
    _warn_if_connections_short(settings, workers)
    # the server's own log (its access log at INFO) at the level of GONGXIN_LOG_LEVEL, as the
    # app's: at WARNING no line is written per request
    level = settings.log_level.lower()
    log_level = level if level in uvicorn.config.LOG_LEVELS else None
    # X-Forwarded-For is read by the app, from GONGXIN_TRUSTED_PROXIES only (web/clients.py)
    if workers == 1:  # TCP_NODELAY on every connection (web/nodelay.py)
        from gongxin.web.nodelay import NoDelayH11Protocol

        uvicorn.run(
            web_app(), host=host, port=port, proxy_headers=False, log_level=log_level,
            http=NoDelayH11Protocol,
        )  # fmt: skip
    else:  # each worker process builds the app from the same environment, on its own socket
        from gongxin.web import workers as supervisor

        code = supervisor.run(workers, supervisor.Options(host, port, log_level))
        if code:
            raise typer.Exit(code)


def _warn_if_connections_short(settings: Settings, workers: int) -> None:
    """Say so when PostgreSQL could not open every connection the workers may ask for."""
    wanted = workers * (settings.db_pool_size + settings.db_max_overflow)
    try:
        short = connections_short(common.engine(), wanted)
    except sa.exc.SQLAlchemyError as exc:  # served anyway: the calls will say what is wrong
        common.err.print(
            f"注意：无法连接数据库以检查连接数 (warning: cannot reach the database to count its "
            f"connections: {type(getattr(exc, 'orig', None) or exc).__name__})",
            style="yellow", markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        short = None
    if short is not None:
        common.err.print(
            f"注意：{workers} 个工作进程最多需要 {wanted} 个数据库连接，PostgreSQL 还缺 {short} 个"
            "（调高 max_connections、调低 GONGXIN_DB_POOL_SIZE 或在前面使用 PgBouncer） "
            f"(warning: {workers} workers may open {wanted} connections, {short} more than "
            "PostgreSQL has free: raise max_connections, lower GONGXIN_DB_POOL_SIZE or put "
            "PgBouncer in front)",
            style="yellow", markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    common.dispose_engines()  # the workers open their own


@dept_app.command("add")
@common.reports_errors
def dept_add(
    name: Annotated[str, typer.Argument(help="部门名称 (department name)")],
    code: Annotated[str | None, typer.Option(help="统一社会信用代码 (USCC)")] = None,
    kind: Annotated[str, typer.Option(help="provider | user | centre")] = "provider",
    parent: Annotated[str | None, typer.Option(help="上级部门名称 (parent department)")] = None,
    region: Annotated[
        str | None, typer.Option(help="行政区划代码或名称 (region code or name)")
    ] = None,
) -> None:
    """登记部门 (register a department)."""
    with common.engine().begin() as conn:
        dept = departments.add(
            conn, name, kind=kind, code=code, now=common.now(), parent=parent, region=region
        )
    common.out.print(
        f"已登记部门 (registered) {dept.name} ({dept.kind}) id={dept.id}", markup=False
    )


@dept_app.command("list")
@common.reports_errors
def dept_list(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出部门 (list departments)."""
    table = Table("id", "名称 name", "类型 kind", "代码 code", "上级 parent", "区划 region")
    with common.engine().connect() as conn:
        every = departments.all_departments(conn)
        names = {d.id: d.name for d in every}
        for d in every:
            table.add_row(
                str(d.id),
                d.name,
                departments.KIND_NAMES.get(d.kind, d.kind),
                d.code or "",
                names.get(d.parent_id, "") if d.parent_id else "",
                d.region or "",
            )
    common.show(table, as_json, out_file)


authority_app = typer.Typer(
    help="部门可代为报送的机关 (authorities a department files records for)", no_args_is_help=True
)
dept_app.add_typer(authority_app, name="authority")


@authority_app.command("add")
@common.reports_errors
def authority_add(
    department: Annotated[str, typer.Argument(help="部门名称 (department name)")],
    names: Annotated[list[str], typer.Argument(help="机关名称 (authority names)")],
) -> None:
    """允许部门以这些机关的名义报送记录 (let a department file records for these authorities)."""
    with common.engine().begin() as conn:
        added = authorities.add(conn, department, names, now=common.now())
    common.out.print(f"{department} 新增可报送机关 (authorities added): {len(added)}", markup=False)


@authority_app.command("remove")
@common.reports_errors
def authority_remove(
    department: Annotated[str, typer.Argument(help="部门名称 (department name)")],
    names: Annotated[list[str], typer.Argument(help="机关名称 (authority names)")],
) -> None:
    """取消部门代为报送的机关 (withdraw authorities from a department)."""
    with common.engine().begin() as conn:
        gone = authorities.remove(conn, department, names, now=common.now())
    common.out.print(f"{department} 已取消 (removed): {gone}", markup=False)


@authority_app.command("list")
@common.reports_errors
def authority_list(
    department: Annotated[str, typer.Argument(help="部门名称 (department name)")],
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出部门可代为报送的机关，本部门名称除外 (authorities assigned to a department)."""
    with common.engine().connect() as conn:
        names = authorities.assigned(conn, department)
    table = Table("机关 authority")
    for name in names:
        table.add_row(name)
    common.show(table, as_json, out_file)


@key_app.command("create")
@common.reports_errors
def key_create(
    dept: Annotated[str, typer.Option("--dept", help="部门名称 (department name)")],
    expires_days: Annotated[int | None, typer.Option(help="有效天数 (days until expiry)")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help="权限范围，必填，可重复；只授予系统需要的 (scope, required, repeatable; grant "
            "only what the system needs): " + ", ".join(s.value for s in Scope),
        ),
    ] = None,
) -> None:
    """创建 API 密钥，只显示一次 (create an API key; it is shown once)."""
    if not scope:
        listed = "；".join(f"{s.value}（{SCOPE_NAMES[s]}）" for s in Scope)
        raise InvalidInput(
            f"请用 --scope 指定密钥的权限范围（可重复，只授予系统需要的）：{listed}",
            "name the key's scopes with --scope (repeatable; grant only what the system needs): "
            + ", ".join(s.value for s in Scope),
        )
    with common.engine().begin() as conn:
        new = keys.create(conn, dept, now=common.now(), expires_days=expires_days, scopes=scope)
    common.err.print(f"部门 {new.department} 的新密钥，仅显示这一次 (shown once; store it safely):")
    print(new.key)
    common.err.print(f"密钥前缀 (prefix, for revoking): {new.prefix}", markup=False)
    common.err.print(f"权限范围 (scopes): {', '.join(sorted(new.scopes))}", markup=False)
    if new.expires_at:
        common.err.print(f"到期 (expires): {common.china_time(new.expires_at)}")


@key_app.command("revoke")
@common.reports_errors
def key_revoke(
    prefix: Annotated[
        str, typer.Argument(help="密钥前缀或密钥 (key prefix, gx_<prefix> or the key)")
    ],
) -> None:
    """吊销 API 密钥 (revoke an API key)."""
    with common.engine().begin() as conn:
        keys.revoke(conn, prefix, now=common.now())
    common.out.print(f"已吊销 (revoked) {prefix}")


@key_app.command("list")
@common.reports_errors
def key_list(
    dept: Annotated[str | None, typer.Option("--dept", help="只列此部门 (one department)")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出 API 密钥及其权限范围 (list API keys with their scopes; never the secrets)."""
    now = common.now()
    table = Table("前缀 prefix", "部门 dept", "权限范围 scopes", "到期 expires", "状态 state")
    states = {"active": "有效 active", "expired": "已过期 expired", "revoked": "已吊销 revoked"}
    with common.engine().connect() as conn:
        department_id = departments.get(conn, dept).id if dept else None
        for k in keys.all_keys(conn, department_id):
            table.add_row(
                k.prefix,
                k.department.name,
                "、".join(f"{SCOPE_NAMES[s]} {s}" for s in sorted(k.scopes)),
                f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "长期 never",
                states[k.state(now)],
            )
    common.show(table, as_json, out_file)
