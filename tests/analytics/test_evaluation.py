"""Credit evaluation: the model's jobs on DuckDB and Spark agree row by row; a grade is
explained by exactly the records that caused it; a record leaving view changes the next run;
an interrupted run leaves the previous one in force; bad model files are refused at load."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.analytics import evaluation, evaluation_model, snapshot
from gongxin.analytics.engines import DuckDBEngine, SparkEngine
from gongxin.analytics.evaluation_model import EvaluationModel, InvalidModel
from gongxin.catalog.registry import load_catalog
from gongxin.db.evaluation_tables import evaluation_contributions, evaluation_results
from gongxin.db.models import records
from gongxin.records.decisions import in_force_now
from tests.demo.helpers import AS_OF, AS_OF_DATE

PACKAGED = ("four_grade", "samr_risk", "shandong_1000")


def _model(code: str) -> EvaluationModel:
    return evaluation_model.get_model(code, load_catalog())


@pytest.mark.slow
@pytest.mark.parametrize("code", PACKAGED)
def test_every_model_answers_the_same_on_duckdb_and_spark(
    code: str, module_taken: snapshot.Snapshot, spark: SparkEngine, tmp_path: Path
) -> None:
    model = _model(code)
    on_duckdb = evaluation.compute(model, module_taken, DuckDBEngine(), AS_OF_DATE, tmp_path / "d")
    on_spark = evaluation.compute(model, module_taken, spark, AS_OF_DATE, tmp_path / "s")
    assert on_duckdb.hits.num_rows > 0, "the demo gives the model records to count"
    assert len(set(on_duckdb.scores["grade"].to_pylist())) > 1
    for mine, theirs in (
        (on_duckdb.hits, on_spark.hits),
        (on_duckdb.contributions, on_spark.contributions),
        (on_duckdb.scores, on_spark.scores),
    ):
        assert mine.schema == theirs.schema
        assert mine.to_pylist() == theirs.to_pylist()


def _expected_hits(store: sa.Engine, model: EvaluationModel, as_of: date) -> set[tuple[Any, ...]]:
    """What the four-grade model must count, straight from the store (it has no filters)."""
    wanted: set[tuple[Any, ...]] = set()
    with store.connect() as conn:
        for ind in model.indicators:
            rows = conn.execute(
                sa.select(records.c.subject_id, records.c.id).where(
                    records.c.dataset == ind.dataset,
                    records.c.subject_id.is_not(None),
                    records.c.event_date <= as_of,
                    records.c.event_date > as_of - timedelta(days=ind.window_days),
                    in_force_now(as_of),
                )
            )
            wanted |= {(s, ind.code, r) for s, r in rows}
    return wanted


def _stored(store: sa.Engine, run_id: int) -> tuple[dict[int, Any], set[tuple[Any, ...]]]:
    with store.connect() as conn:
        results = {
            r.subject_id: r
            for r in conn.execute(
                sa.select(evaluation_results).where(evaluation_results.c.run_id == run_id)
            )
        }
        hits = {
            (c.subject_id, c.indicator, rid)
            for c in conn.execute(
                sa.select(evaluation_contributions).where(
                    evaluation_contributions.c.run_id == run_id
                )
            )
            for rid in c.record_ids
        }
    return results, hits


def test_a_grade_is_explained_by_exactly_the_records_that_caused_it(store: sa.Engine) -> None:
    model = _model("four_grade")
    run = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF)
    results, hits = _stored(store, run.run_id)
    expected = _expected_hits(store, model, AS_OF_DATE)
    expected = {h for h in expected if h[0] in results}  # subjects the model evaluates
    assert hits and hits == expected
    with store.connect() as conn:
        for subject_id, result in results.items():
            points = conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(evaluation_contributions.c.points), 0)
                ).where(
                    evaluation_contributions.c.run_id == run.run_id,
                    evaluation_contributions.c.subject_id == subject_id,
                )
            ).scalar_one()
            bounded = min(max(model.base_score + float(points), 0), 100)
            assert float(result.score) == pytest.approx(bounded)
            band = next(g for g in model.grades if g.min is None or bounded >= g.min)
            assert result.grade == band.grade


def test_a_record_leaving_view_changes_the_next_run(store: sa.Engine) -> None:
    model = _model("four_grade")
    first = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF)
    before, hits = _stored(store, first.run_id)
    penalised = sorted(h for h in hits if h[1] == "penalty")
    subject_id, _, record_id = penalised[0]
    with store.begin() as conn:  # its publicity window ended yesterday
        conn.execute(
            records.update()
            .where(records.c.id == record_id)
            .values(pub_until=AS_OF_DATE - timedelta(days=1))
        )
    second = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF + timedelta(hours=1))
    after, hits_after = _stored(store, second.run_id)
    assert (subject_id, "penalty", record_id) not in hits_after
    assert after[subject_id].score > before[subject_id].score
    with store.connect() as conn:
        assert evaluation.current_run(conn, "four_grade").id == second.run_id  # type: ignore[union-attr]


def test_an_interrupted_run_leaves_the_previous_one_in_force(
    store: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model("four_grade")
    first = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF)
    real_write = evaluation.write

    def broken(conn: sa.Connection, run_id: int, outcome: Any, *, finished: Any) -> None:
        conn.execute(sa.text("SELECT 1"))
        real_write(conn, run_id, outcome, finished=finished)
        raise RuntimeError("the machine went down")

    later = AS_OF_DATE + timedelta(days=1)
    monkeypatch.setattr(evaluation, "write", broken)
    with pytest.raises(RuntimeError):
        evaluation.evaluate(store, model, as_of=later, now=AS_OF + timedelta(days=1))
    with store.connect() as conn:
        assert evaluation.current_run(conn, "four_grade").id == first.run_id  # type: ignore[union-attr]
        failed = conn.execute(sa.text("SELECT status, error FROM evaluation_runs WHERE id > :i"),
                              {"i": first.run_id}).one()  # fmt: skip
        assert failed.status == "error" and "went down" in failed.error
        assert (
            conn.execute(
                sa.select(sa.func.count()).where(evaluation_results.c.run_id != first.run_id)
            ).scalar_one()
            == 0
        )
    monkeypatch.setattr(evaluation, "write", real_write)
    again = evaluation.evaluate(store, model, as_of=later, now=AS_OF + timedelta(days=1))
    with store.connect() as conn:
        current = evaluation.current_run(conn, "four_grade")
        runs = conn.execute(sa.text("SELECT status FROM evaluation_runs ORDER BY id")).all()
    assert current is not None and current.id == again.run_id
    assert [r.status for r in runs] == ["complete", "complete"]
    assert again.subjects == first.subjects


GOOD = (Path(evaluation_model.__file__).parent / "models" / "four_grade.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("change", "key", "rule"),
    [
        (("dataset: penalty", "dataset: no_such"), "indicators.1.dataset", "known_dataset"),
        (
            ("    decay:", "    where: [{field: CF_NOPE, in: [x]}]\n    decay:"),
            "indicators.1.where.0.field",
            "known_field",
        ),
        (("min: 75, max: 90", "min: 75, max: 95"), "(model)", "overlap"),
        (("points: 5", "points: -5"), "indicators.1.points", "greater than 0"),
    ],
)
def test_bad_model_files_are_refused_with_file_key_and_rule(
    change: tuple[str, str], key: str, rule: str
) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(InvalidModel) as caught:
        evaluation_model.parse(text, "local/four_grade.yaml", load_catalog())
    assert caught.value.details["file"] == "local/four_grade.yaml"
    assert caught.value.details["key"] == key
    assert rule in caught.value.details["rule"]
    assert "评价模型" in caught.value.zh


def test_a_deployment_folder_replaces_a_packaged_model(tmp_path: Path) -> None:
    (tmp_path / "four_grade.yaml").write_text(
        GOOD.replace('version: "2025-example"', 'version: "2026-local"'), encoding="utf-8"
    )
    models = evaluation_model.load_models(load_catalog(), tmp_path)
    assert models["four_grade"].version == "2026-local"
    assert set(PACKAGED) <= set(models)
