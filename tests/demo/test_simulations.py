"""The demo's saved simulations: the regimes in force change nothing; the proposal of shorter
windows takes records off the public pages, with examples; a second demo run adds none."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.demo import generate, load
from gongxin.demo import simulations as demo_simulations
from gongxin.settings import Settings
from gongxin.simulation import service
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_the_demo_saves_a_baseline_and_a_proposal(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=100, seed=2, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    settings = Settings(database_url="sqlite://", var_dir=tmp_path / "var")
    ids = demo_simulations.run(engine, catalog, settings, now=AS_OF)
    assert len(ids) == 2
    assert demo_simulations.run(engine, catalog, settings, now=AS_OF) == []
    with engine.connect() as conn:
        baseline, proposal = (service.get(conn, i) for i in ids)
    assert baseline.changed == 0 and baseline.looked > 100
    counts = {c["change"]: c["count"] for c in proposal.report["counts"]}
    assert counts["leave_today"] > 0 and counts["window"] > 0
    leaving = [e for e in proposal.report["examples"] if e["change"] == "leave_today"]
    assert leaving and all(e["before"] != e["after"] for e in leaving)
