"""The ``gongxin`` command: a thin shell over the service functions.

``gongxin`` and ``gongxin --help`` answer from :data:`COMMANDS` without importing typer or any
command module (the database layer, pandas, DuckDB … take seconds to import); every other
invocation registers the commands and runs typer. A test keeps :data:`COMMANDS` equal to what
the registered commands say of themselves.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    app: typer.Typer

HELP = "公信 gongxin：公共信用信息平台 (public credit information platform)"
# Every top-level command and its one-line help, in the order ``gongxin --help`` lists them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("init", "初始化数据库、报告签章证书与报告字体 (schema; signing certificate; report font)."),
    ("serve", "启动 Web 服务与 API (run the web server and JSON API)."),
    ("ingest", "导入部门数据文件 (ingest department files)."),
    ("rejects", "导出退回的行及错误说明 (export rejected rows with their errors)."),
    ("unlinked", "列出待关联记录 (list records not linked to any subject)."),
    ("warnings", "列出已接收但有提示的行 (list accepted rows that carry warnings)."),
    ("demo", "生成并导入演示数据 (generate synthetic department files and load them)."),
    ("worker", "运行定时任务 (run the scheduled jobs: change-feed expiry, cache refreshes, ...)."),
    ("dept", "部门管理 (departments)"),
    ("key", "API 密钥 (API keys)"),
    ("user", "后台用户 (back-office users)"),
    ("catalog", "数据目录：数据集定义、数据字典与 Excel 模板 (data catalog: specs, dictionary, "
     "templates)"),
    ("audit", "审计日志 (audit log)"),
    ("applications", "异议与信用修复 (objections and credit repair)"),
    ("complaints", "信用投诉 (credit complaints)"),
    ("approval", "并联审批 (parallel approval)"),
    ("trace", "产品溯源 (product traceability)"),
    ("exchange", "共享交换 (data sharing and exchange)"),
    ("opendata", "开放数据 (open data)"),
    ("check", "信用核查 (credit checks)"),
    ("memoranda", "联合奖惩备忘录与措施 (memoranda and measures)"),
    ("analytics", "批量分析作业 (batch analytics jobs on DuckDB or Spark)"),
    ("linkage", "主体匹配 (link records without a usable code to subjects; review queue)"),
    ("alerts", "预警 (warning rules and the centre's warnings queue)"),
    ("visibility", "可见性决定 (stored visibility decisions)"),
    ("evaluate", "信用评价 (credit evaluation: run a model, compare runs)"),
    ("risk", "信用风险分类与双随机抽查 (risk classes and inspection draws)"),
    ("mark", "网站可信标识 (trust marks)"),
    ("agency", "征信机构接入 (credit agencies)"),
    ("simulate", "仿真：规则变更的预演 (simulate a rule change)"),
    ("rating", "行业信用评价 (industry credit evaluation)"),
)  # fmt: skip
WIDTH = 80


@cache
def _app() -> typer.Typer:
    import typer

    return typer.Typer(
        name="gongxin", help=HELP, no_args_is_help=True, pretty_exceptions_enable=False
    )


def __getattr__(name: str) -> object:
    if name == "app":
        return _app()
    raise AttributeError(name)


def _cells(text: str) -> int:
    """Terminal columns of ``text``: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, cells: int) -> str:
    if _cells(text) <= cells:
        return text
    out = ""
    for ch in text:
        if _cells(out + ch) > cells - 1:
            return out + "…"
        out += ch
    return out


def top_help() -> str:
    """``gongxin --help``: usage, then every command with its help, within 80 columns."""
    pad = max(len(name) for name, _ in COMMANDS) + 2
    lines = ["用法 Usage: gongxin [OPTIONS] COMMAND [ARGS]...", "", f"  {HELP}", "",
             "命令 Commands:"]  # fmt: skip
    lines += [f"  {name.ljust(pad)}{_clip(text, WIDTH - pad - 2)}" for name, text in COMMANDS]
    lines += ["", "`gongxin COMMAND --help` 显示命令的参数 (shows a command's options)."]
    return "\n".join(lines) + "\n"


_registered = False


def _register() -> None:
    """Attach every command once (kept out of import time so ``import gongxin.cli`` is cheap)."""
    global _registered
    if _registered:
        return
    from gongxin.cli import admin, applications, audit, catalog, demo, intake, users
    from gongxin.cli import agencies as agencies_cli
    from gongxin.cli import alerts as alerts_cli
    from gongxin.cli import analytics as analytics_cli
    from gongxin.cli import approval as approval_cli
    from gongxin.cli import complaints as complaints_cli
    from gongxin.cli import evaluate as evaluate_cli
    from gongxin.cli import exchange as exchange_cli
    from gongxin.cli import linkage as linkage_cli
    from gongxin.cli import opendata as opendata_cli
    from gongxin.cli import rating as rating_cli
    from gongxin.cli import sanctions as sanctions_cli
    from gongxin.cli import simulate as simulate_cli
    from gongxin.cli import trust_marks as trust_marks_cli
    from gongxin.cli import visibility as visibility_cli
    from gongxin.cli import workflows as workflows_cli
    from gongxin.cli.worker import worker

    _registered = True
    app = _app()

    app.command("init")(admin.init)
    app.command("serve")(admin.serve)
    app.add_typer(admin.dept_app, name="dept")
    app.add_typer(admin.key_app, name="key")
    app.add_typer(users.app, name="user")
    app.add_typer(catalog.app, name="catalog")
    app.command("ingest")(intake.ingest)
    app.command("rejects")(intake.rejects)
    app.command("unlinked")(intake.unlinked)
    app.command("warnings")(intake.warnings)
    app.command("demo")(demo.demo)
    app.command("worker")(worker)
    app.add_typer(audit.app, name="audit")
    app.add_typer(applications.app, name="applications")
    app.add_typer(complaints_cli.app, name="complaints")
    app.add_typer(approval_cli.app, name="approval")
    app.add_typer(approval_cli.trace_app, name="trace")
    app.add_typer(exchange_cli.app, name="exchange")
    app.add_typer(opendata_cli.app, name="opendata")
    app.add_typer(workflows_cli.check_app, name="check")
    # `gongxin check --file … --scene … --out …` (bulk check) beside its subcommands (stats …)
    workflows_cli.check_app.callback(invoke_without_command=True)(sanctions_cli.check)
    app.add_typer(sanctions_cli.memoranda_app, name="memoranda")
    app.add_typer(analytics_cli.app, name="analytics")
    app.add_typer(linkage_cli.app, name="linkage")
    app.add_typer(alerts_cli.app, name="alerts")
    app.add_typer(visibility_cli.app, name="visibility")
    # `gongxin evaluate --model … --as-of …` beside its subcommand `compare`
    evaluate_cli.evaluate_app.callback(invoke_without_command=True)(evaluate_cli.evaluate)
    app.add_typer(evaluate_cli.evaluate_app, name="evaluate")
    app.add_typer(evaluate_cli.risk_app, name="risk")
    app.add_typer(trust_marks_cli.app, name="mark")
    app.add_typer(agencies_cli.app, name="agency")
    app.add_typer(simulate_cli.app, name="simulate")
    app.add_typer(rating_cli.app, name="rating")


def main() -> None:
    if sys.argv[1:] in ([], ["--help"], ["-h"]):  # answered without importing any command
        sys.stdout.write(top_help())
        return
    _register()
    _app()()
