"""The demo's saved simulations (仿真): the regimes in force as a baseline (no change), and a
proposal of one city-wide publicity regime with shorter windows, so that /admin/simulations shows
a report with counts and examples and a comparison of the two."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.simulation_tables import simulations
from gongxin.settings import Settings
from gongxin.simulation import service

PROPOSAL = """\
key: LOCAL_2027
title: 本市失信行为公示期限统一规定（征求意见稿）
basis: 本市征求意见稿（演示）
effective_from: 2000-01-01
confidence: unverified
windows:
  轻微: {max_months: 3, may_be_unpublished: true}
  一般: {min_months: 3, max_months: 6}
  严重: {min_months: 12, max_months: 24}
"""
SELECTION = """\
market_regulation: LOCAL_2027
market_regulation_authorities: [市场监督管理, 工商行政管理]
publish_natural_persons: false
prefer: [LOCAL_2027, ORDER36, GB2025, NDRC_2023, NDRC_2019]
default_severity: 一般
"""
LABELS = ("现行公示期规则（对照）", "本市统一公示期限（征求意见稿：一般失信 6 个月）")


def _folders(root: Path) -> tuple[Path, Path]:
    same, proposal = root / "in-force", root / "local-2027"
    for folder in (same, proposal):
        folder.mkdir(parents=True, exist_ok=True)
    for entry in resources.files("gongxin.records").joinpath("regimes").iterdir():
        if entry.name.endswith(".yaml"):
            (same / entry.name).write_text(entry.read_text("utf-8"), encoding="utf-8")
    (proposal / "local_2027.yaml").write_text(PROPOSAL, encoding="utf-8")
    (proposal / "selection.yaml").write_text(SELECTION, encoding="utf-8")
    return same, proposal


def run(store: sa.Engine, catalog: Catalog, settings: Settings, *, now: datetime) -> list[int]:
    """Simulate and save the two (once: a second demo run keeps them); returns the new ids."""
    with store.connect() as conn:
        kept = set(conn.scalars(
            sa.select(simulations.c.label).where(simulations.c.created_by == "demo")
        ))  # fmt: skip
    saved = []
    for folder, label in zip(
        _folders(settings.var_dir / "demo" / "proposals"), LABELS, strict=True
    ):
        if label in kept:
            continue
        sim = service.run(
            store, catalog, settings, "regimes", folder, as_of=local_date(now), now=now
        )
        sim.source = f"{folder.name}/"
        with store.begin() as conn:
            saved.append(service.save(conn, sim, label=label, actor="demo", now=now))
    return saved
