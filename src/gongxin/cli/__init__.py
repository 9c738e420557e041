"""The ``gongxin`` command: a thin shell over the service functions."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gongxin",
    help="公信 gongxin：公共信用信息平台 (public credit information platform)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_registered = False


def _register() -> None:
    """Attach every command once (kept out of import time so ``import gongxin.cli`` is cheap)."""
    global _registered
    if _registered:
        return
    from gongxin.cli import admin, applications, audit, catalog, demo, intake, users
    from gongxin.cli import alerts as alerts_cli
    from gongxin.cli import analytics as analytics_cli
    from gongxin.cli import evaluate as evaluate_cli
    from gongxin.cli import exchange as exchange_cli
    from gongxin.cli import linkage as linkage_cli
    from gongxin.cli import opendata as opendata_cli
    from gongxin.cli import sanctions as sanctions_cli
    from gongxin.cli import visibility as visibility_cli
    from gongxin.cli import workflows as workflows_cli
    from gongxin.cli.worker import worker

    _registered = True

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


def main() -> None:
    _register()
    app()
