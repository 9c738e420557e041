"""``gongxin evaluate`` and ``gongxin risk`` over a demo store: a run shows its grades, compare
names who moved and why, and the 双随机 draw is reproducible from its seed and audited."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.analytics import risk
from gongxin.audit import log as audit
from gongxin.catalog.registry import load_catalog
from gongxin.db.engine import make_engine
from gongxin.db.evaluation_tables import evaluation_contributions, evaluation_runs
from gongxin.db.models import records
from gongxin.demo import generate, load
from tests.demo.helpers import AS_OF, AS_OF_DATE
from tests.support.cli import Cli


@pytest.fixture
def demo(cli: Cli) -> Cli:
    cli.ok("init")
    engine = make_engine(cli.url)
    catalog = load_catalog()
    files = generate(cli.folder / "demo", subjects=80, seed=7, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    engine.dispose()
    return cli


def test_evaluate_runs_a_model_and_compare_says_who_moved_and_why(demo: Cli) -> None:
    listed = demo.ok("evaluate").stdout
    assert "shandong_1000" in listed and "samr_risk" in listed
    day = AS_OF_DATE.isoformat()
    first = demo.ok("evaluate", "--model", "shandong_1000", "--as-of", day).stdout
    assert "评价 run 1" in first and "A" in first
    # the worst-hit subject's serious-dishonesty record is repaired (no longer in force)
    engine = make_engine(demo.url)
    with engine.begin() as conn:
        hit = conn.execute(
            sa.select(evaluation_contributions)
            .where(evaluation_contributions.c.indicator == "serious_dishonest")
            .order_by(evaluation_contributions.c.points, evaluation_contributions.c.subject_id)
        ).first()
        assert hit is not None
        conn.execute(
            records.update()
            .where(records.c.id.in_(hit.record_ids))
            .values(status="repaired", in_force=False)
        )
    engine.dispose()
    later = (AS_OF_DATE + timedelta(days=1)).isoformat()
    demo.ok("evaluate", "--model", "shandong_1000", "--as-of", later)
    shown = demo.ok("evaluate", "compare", "--model", "shandong_1000").stdout
    assert "run 1 → run 2" in shown
    line = next(row for row in shown.splitlines() if f"({hit.subject_id})" in row)
    assert "serious_dishonest" in line and str(hit.record_ids[0]) in line


def test_bad_input_is_named(demo: Cli) -> None:
    unknown = demo("evaluate", "--model", "nope")
    assert unknown.exit_code == 2 and "shandong_1000" in unknown.stderr
    bad_day = demo("evaluate", "--model", "four_grade", "--as-of", "2026-13-01")
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.stderr
    early = demo("evaluate", "--model", "four_grade", "--as-of", "2020-01-01")
    assert early.exit_code == 2 and "未生效" in early.stderr
    no_run = demo("risk", "draw", "--task", "t", "--seed", "1")
    assert no_run.exit_code == 2 and "risk classify" in no_run.stderr
    demo.ok("evaluate", "--model", "four_grade", "--as-of", AS_OF_DATE.isoformat())
    not_risk = demo("risk", "draw", "--task", "t", "--seed", "1", "--model", "four_grade")
    assert not_risk.exit_code == 2 and "risk" in not_risk.stderr


def test_the_risk_draw_is_reproducible_from_its_seed(demo: Cli, tmp_path: Path) -> None:
    demo.ok("risk", "classify", "--as-of", AS_OF_DATE.isoformat())
    one, two, other = tmp_path / "1.csv", tmp_path / "2.csv", tmp_path / "3.csv"
    demo.ok("risk", "draw", "--task", "2026 食品抽查", "--seed", "20260501", "--out", str(one))
    demo.ok("risk", "draw", "--task", "2026 食品抽查", "--seed", "20260501", "--out", str(two))
    demo.ok("risk", "draw", "--task", "2026 食品抽查", "--seed", "other", "--out", str(other))
    first, again = one.read_text("utf-8-sig"), two.read_text("utf-8-sig")
    assert first == again and first != other.read_text("utf-8-sig")
    rows = list(csv.DictReader(first.splitlines()))
    by_class: dict[str, int] = {}
    for row in rows:
        by_class[row["风险分类"]] = by_class.get(row["风险分类"], 0) + 1
    engine = make_engine(demo.url)
    with engine.connect() as conn:
        run = conn.execute(sa.select(evaluation_runs)).one()
        entries = [e for e in audit.entries(conn) if e.action == "risk.draw"]
    engine.dispose()
    # every class is sampled at its share (class D entirely), none exempt (不免抽)
    for grade, size in run.grades.items():
        share = {"A": 5, "B": 20, "C": 60, "D": 100}[grade]
        assert by_class.get(grade, 0) == -(-size * share // 100)
    assert len(entries) == 3 and entries[0].detail["seed"] == "20260501"


def test_pick_is_seeded_per_class() -> None:
    population = {"A": list(range(1, 1001)), "D": list(range(2001, 2011))}
    first = risk.pick(population, {"A": 5, "D": 100}, "s")
    assert first == risk.pick(population, {"A": 5, "D": 100}, "s")
    assert len(first["A"]) == 50 and first["D"] == population["D"]
    assert risk.pick(population, {"A": 5, "D": 100}, "t")["A"] != first["A"]
