"""What every command needs: settings, the engine, the catalog, the clock, error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
import typer
from rich.console import Console

from gongxin import logs
from gongxin.catalog.registry import Catalog, get_catalog
from gongxin.db.engine import make_engine
from gongxin.errors import GongxinError
from gongxin.records import regimes
from gongxin.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

out = Console()
err = Console(stderr=True)


def settings() -> Settings:
    found = get_settings()
    regimes.configure(found.regimes_dir)  # the deployment's publicity rules, if any
    return found


def engine() -> sa.Engine:
    s = settings()
    # A clerk's terminal shows the command's own output; the event log stays for servers.
    level = s.log_level if "log_level" in s.model_fields_set else "WARNING"
    logs.configure(level, s.log_json)
    made = _engines.get(s.database_url)
    if made is None:
        made = _engines[s.database_url] = make_engine(s.database_url)
    return made


_engines: dict[str, sa.Engine] = {}  # one per store for the process, closed by dispose_engines


def dispose_engines() -> None:
    """Close every store connection the commands opened (for a process that runs several
    commands and goes on, such as a test session)."""
    while _engines:
        _engines.popitem()[1].dispose()


def catalog() -> Catalog:
    """The deployment's catalog (``settings()`` puts its publicity regimes in force too)."""
    return get_catalog(settings().catalog_dir)


def now() -> datetime:
    """The moment a command acts at: the only wall-clock read of the CLI."""
    return datetime.now(UTC)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print gongxin's own errors as one readable line and exit 2, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GongxinError as exc:
            err.print(f"[red]错误 (error):[/red] {exc.message}", highlight=False, markup=True)
            raise typer.Exit(2) from None

    return wrapper


def is_terminal() -> bool:
    return sys.stderr.isatty()
