"""A granted credit repair takes the record out of the next evaluation run: the subject's grade
no longer counts it, and the run before keeps the record as its cause."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from gongxin.analytics import evaluation, evaluation_model
from gongxin.catalog.registry import load_catalog
from gongxin.db.evaluation_tables import evaluation_contributions, evaluation_results
from gongxin.db.models import subjects
from tests.intake.helpers import Store
from tests.workflows.repair_helpers import COMPANY, add_penalty, decide, file, filing, noon

TODAY = date(2026, 11, 23)


def _graded(store: Store, run_id: int) -> tuple[float, list[int]]:
    """The company's score in the run and the records its penalty indicator counted."""
    with store.engine.connect() as conn:
        sid = conn.execute(sa.select(subjects.c.id).where(subjects.c.uscc == COMPANY)).scalar_one()
        score = conn.execute(
            sa.select(evaluation_results.c.score).where(
                evaluation_results.c.run_id == run_id, evaluation_results.c.subject_id == sid
            )
        ).scalar_one()
        counted = conn.execute(
            sa.select(evaluation_contributions.c.record_ids).where(
                evaluation_contributions.c.run_id == run_id,
                evaluation_contributions.c.subject_id == sid,
                evaluation_contributions.c.indicator == "penalty",
            )
        ).scalar()
    return float(score), list(counted or [])


def test_a_repaired_penalty_leaves_the_next_run(store: Store) -> None:
    model = evaluation_model.get_model("four_grade", load_catalog())
    rid = add_penalty(store, 7, "2026-05-06")  # ORDER36, 一般: repair from 2026-08-06
    before = evaluation.evaluate(store.engine, model, as_of=TODAY, now=noon(TODAY))
    score_before, counted_before = _graded(store, before.run_id)
    assert counted_before == [rid]
    decide(store, file(store, filing(rid), TODAY).id, "granted", TODAY)
    after = evaluation.evaluate(store.engine, model, as_of=TODAY, now=noon(TODAY).replace(hour=13))
    score_after, counted_after = _graded(store, after.run_id)
    assert counted_after == [] and score_after == score_before + 5  # four_grade: 5 points each
    assert _graded(store, before.run_id) == (score_before, [rid])  # the earlier run is kept
