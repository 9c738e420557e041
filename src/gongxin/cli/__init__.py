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
    from gongxin.cli import admin, audit, catalog, demo, intake

    _registered = True

    app.command("init")(admin.init)
    app.command("serve")(admin.serve)
    app.add_typer(admin.dept_app, name="dept")
    app.add_typer(admin.key_app, name="key")
    app.add_typer(catalog.app, name="catalog")
    app.command("ingest")(intake.ingest)
    app.command("rejects")(intake.rejects)
    app.command("unlinked")(intake.unlinked)
    app.command("warnings")(intake.warnings)
    app.command("demo")(demo.demo)
    app.add_typer(audit.app, name="audit")


def main() -> None:
    _register()
    app()
