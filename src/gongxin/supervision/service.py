"""The supervision runs as the CLI, the API and the worker call them, with the deployment's
settings: the linkage model and warning rules (packaged or the deployment's own files), the
analytics engine, the working folder."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from gongxin.analytics import engines
from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.settings import Settings
from gongxin.supervision import warnings
from gongxin.supervision.linkage import LinkSummary, link_waiting
from gongxin.supervision.model import load_model
from gongxin.supervision.rules import load_rules


def run_linkage(
    db: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
    *,
    engine: str | None = None,
) -> LinkSummary:
    """Score the waiting records with the deployment's linkage model on its analytics engine
    (Splink on DuckDB, or on Spark for scale), storing the outcome in one transaction."""
    model = load_model(settings.linkage_model)
    runner = engines.make(engine or settings.analytics_engine, master=settings.spark_master)
    try:
        spark = runner.session if isinstance(runner, engines.SparkEngine) else None
        with db.begin() as conn:
            return link_waiting(conn, catalog, model, now, spark=spark)
    finally:
        runner.close()


def run_warnings(
    db: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
    *,
    engine: str | None = None,
) -> warnings.RunSummary:
    """Run the deployment's warning rules on its analytics engine over a fresh snapshot."""
    rules = load_rules(catalog, settings.warning_rules)
    runner = engines.make(engine or settings.analytics_engine, master=settings.spark_master)
    work = settings.var_dir if settings.var_dir.is_dir() else None
    folder = Path(tempfile.mkdtemp(prefix="gongxin-warnings-", dir=work))
    try:
        return warnings.run(
            db, catalog, rules, runner, as_of=local_date(now), now=now, work_dir=folder
        )
    finally:
        runner.close()
        shutil.rmtree(folder, ignore_errors=True)
