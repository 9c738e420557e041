"""Backtest: default rate per grade against the store's later 失信 events, monotonicity and
AUC, as a report with a chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.analytics import backtest, evaluation, evaluation_model
from gongxin.analytics.backtest import GradeRate
from gongxin.catalog.registry import load_catalog
from gongxin.db.evaluation_tables import evaluation_results
from gongxin.db.models import records
from tests.demo.helpers import AS_OF, AS_OF_DATE
from tests.support.cli import Cli


def test_auc_and_monotonicity() -> None:
    assert backtest.auc([1, 2, 3, 4], [True, True, False, False]) == 1.0
    assert backtest.auc([1, 2, 3, 4], [False, False, True, True]) == 0.0
    assert backtest.auc([5, 5, 5, 5], [True, False, True, False]) == 0.5
    assert backtest.auc([1, 2, 3], [False, False, False]) is None
    assert backtest.monotonic([GradeRate("A", 10, 0), GradeRate("B", 0, 0), GradeRate("C", 5, 1)])
    assert not backtest.monotonic([GradeRate("A", 10, 5), GradeRate("B", 10, 1)])


def test_default_rates_come_from_later_events(store: sa.Engine) -> None:
    model = evaluation_model.get_model("shandong_1000", load_catalog())
    day = AS_OF_DATE - timedelta(days=365)
    made = evaluation.evaluate(store, model, as_of=day, now=AS_OF)
    with store.connect() as conn:
        result = backtest.run(conn, made.run_id, horizon_days=365)
        later = set(
            conn.scalars(
                sa.select(records.c.subject_id).where(
                    records.c.dataset.in_(backtest.EVENTS),
                    records.c.event_date > day,
                    records.c.event_date <= AS_OF_DATE,
                )
            )
        )
        graded = dict(
            conn.execute(
                sa.select(evaluation_results.c.subject_id, evaluation_results.c.grade).where(
                    evaluation_results.c.run_id == made.run_id
                )
            ).all()
        )
    assert [r.grade for r in result.grades] == [g.grade for g in model.grades]
    assert sum(r.subjects for r in result.grades) == len(graded)
    for rate in result.grades:
        members = {s for s, g in graded.items() if g == rate.grade}
        assert rate.defaults == len(members & later)
    assert sum(r.defaults for r in result.grades) > 0, "the demo has later events"
    assert result.auc is not None and 0.0 <= result.auc <= 1.0
    page = backtest.report_html(result)
    assert "<svg" in page and "AUC" in page and "cdn" not in page.lower()


def test_cli_writes_the_report(cli: Cli) -> None:
    cli.ok("init")
    cli.ok("evaluate", "--model", "four_grade", "--as-of", "2026-01-01")
    out = cli.folder / "bt.html"
    shown = cli.ok("evaluate", "backtest", "--model", "four_grade", "--out", str(out)).stdout
    assert "AUC" in shown and "<svg" in out.read_text("utf-8")
    bad = cli("evaluate", "backtest", "--model", "four_grade", "--events", "nope")
    assert bad.exit_code == 2 and "nope" in bad.stderr


@pytest.mark.parametrize("horizon", [0, 99999])
def test_horizon_is_bounded(store: sa.Engine, horizon: int) -> None:
    model = evaluation_model.get_model("four_grade", load_catalog())
    made = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF)
    with store.connect() as conn, pytest.raises(Exception, match="horizon"):
        backtest.run(conn, made.run_id, horizon_days=horizon)
