"""The bulk credit check is a batch job like the others: DuckDB and Spark give the same results,
row by row, and both say each registered subject's current grade as the single check does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.analytics import evaluation, evaluation_model
from gongxin.analytics.engines import DuckDBEngine, Engine, SparkEngine
from gongxin.catalog.registry import load_catalog
from gongxin.db.evaluation_tables import evaluation_results, evaluation_runs
from gongxin.db.models import records, subjects
from gongxin.sanctions import bulk, check, scenes, snapshot
from gongxin.sanctions.memoranda import book
from tests.demo.helpers import AS_OF, AS_OF_DATE

MODELS = ["shandong_1000", "samr_risk"]  # a grade model and a risk model


def _items(store: sa.Engine) -> list[str]:
    """Every registered subject's code, the codes of unlinked list records, a lower-case code,
    a name, and items that are not codes at all."""
    with store.connect() as conn:
        codes = [c for (c,) in conn.execute(
            sa.select(subjects.c.uscc).where(subjects.c.uscc.is_not(None)).order_by(subjects.c.id)
        )]  # fmt: skip
        waiting = [c for (c,) in conn.execute(
            sa.select(records.c.link_code).distinct()
            .where(records.c.subject_id.is_(None), records.c.link_code.is_not(None))
            .order_by(records.c.link_code).limit(20)
        )]  # fmt: skip
        name = conn.execute(
            sa.select(subjects.c.name).order_by(subjects.c.id).limit(1)
        ).scalar_one()
    return [*codes, *waiting, codes[0].lower(), name, "not a code", "12345"]


def _grades(conn: sa.Connection, model: str) -> dict[str, str]:
    """Each evaluated subject's code and grade in the model's (only) run, read from the store."""
    return {
        code: grade
        for code, grade in conn.execute(
            sa.select(subjects.c.uscc, evaluation_results.c.grade)
            .join(evaluation_results, evaluation_results.c.subject_id == subjects.c.id)
            .join(evaluation_runs, evaluation_runs.c.id == evaluation_results.c.run_id)
            .where(evaluation_runs.c.model == model)
        )
    }


def _bulk(
    store: sa.Engine, source: Path, engine: Engine, models: list[str]
) -> list[dict[str, Any]]:
    catalog = load_catalog()
    with store.connect() as conn:
        snap, _ = snapshot.current(conn, catalog, AS_OF_DATE)
        with bulk.run(
            conn, catalog, source, scene=scenes.resolve("政府采购"), snapshot=snap,
            book=book(conn, catalog), engine=engine, grade_models=models,
        ) as result:  # fmt: skip
            columns = (*bulk.OUT_COLUMNS, "hits_json", "measures_json")
            logged = {r[1]: r[8:10] for r in result.log_rows("x")}
            rows = [
                dict(zip(columns, (*row, *logged[row[0]]), strict=True)) for row in result.rows()
            ]
            # the counts the check reports (logged, shown) are those of its answer
            hits = sum(1 for r in rows if r["hits_json"])
            errors = sum(1 for r in rows if r["error"])
            assert (result.subjects, result.hits, result.errors) == (len(rows), hits, errors)
            return rows


@pytest.mark.slow
def test_the_bulk_check_answers_the_same_on_duckdb_and_spark_with_grades(
    store: sa.Engine, tmp_path: Path, spark: SparkEngine
) -> None:
    catalog = load_catalog()
    for code in MODELS:
        evaluation.evaluate(
            store, evaluation_model.get_model(code, catalog), as_of=AS_OF_DATE, now=AS_OF
        )
    items = _items(store)
    source = tmp_path / "codes.csv"
    source.write_text("代码\n" + "\n".join(items) + "\n", encoding="utf-8")

    on_duckdb = _bulk(store, source, DuckDBEngine(), MODELS)
    on_spark = _bulk(store, source, spark, MODELS)
    assert on_spark == on_duckdb  # row by row, every column and the logged JSON

    req = check.Request(items, "政府采购", "采购中心", "供应商审查", AS_OF_DATE)
    with store.connect() as conn:
        single = check.evaluate(conn, catalog, req, now=AS_OF, grade_models=MODELS)[0].results
        grades = _grades(conn, "shandong_1000")
    assert len(on_duckdb) == len(items) == len(single)
    assert sum(1 for r in on_duckdb if r["hits_json"]) > 0, "the demo has listed subjects"
    graded = 0
    for got, want in zip(on_duckdb, single, strict=True):
        if "error" in want:
            assert got["error"] is not None and got["subject_code"] is None
            continue
        assert got["explanation"] == want["explanation"]  # the single check's words
        code = got["subject_code"]
        if got["error"] is None and code in grades:
            graded += 1
            # the grade of the grade model only: a risk class is never part of a check
            assert got["explanation"].count("信用评价等级为") == 1
            assert f"其信用评价等级为 {grades[code]}（" in got["explanation"]
    assert graded >= len(grades) > 0


def test_without_grade_models_the_bulk_check_says_no_grade(
    store: sa.Engine, tmp_path: Path
) -> None:
    evaluation.evaluate(
        store,
        evaluation_model.get_model("shandong_1000", load_catalog()),
        as_of=AS_OF_DATE,
        now=AS_OF,
    )
    codes = _items(store)[:30]
    source = tmp_path / "codes.csv"
    source.write_text("\n".join(codes) + "\n", encoding="utf-8")
    plain = _bulk(store, source, DuckDBEngine(), [])
    graded = _bulk(store, source, DuckDBEngine(), ["shandong_1000"])
    with store.connect() as conn:
        evaluated = _grades(conn, "shandong_1000")
    assert all("信用评价等级" not in (r["explanation"] or "") for r in plain)
    said = [r["subject_code"] for r in graded if "信用评价等级为" in (r["explanation"] or "")]
    assert said == [c for c in codes if c in evaluated] and said
    for a, b in zip(plain, graded, strict=True):  # the grade only adds its sentence
        assert b["explanation"].startswith(a["explanation"])


def test_the_registry_read_whole_or_looked_up_gives_the_same_answers(
    store: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file reads the registry's names and grades whole, a small one looks its codes
    up: the answers are the same, names and grades included."""
    from gongxin.sanctions import bulk_lookup

    evaluation.evaluate(
        store,
        evaluation_model.get_model("shandong_1000", load_catalog()),
        as_of=AS_OF_DATE,
        now=AS_OF,
    )
    source = tmp_path / "codes.csv"
    source.write_text("\n".join(_items(store)) + "\n", encoding="utf-8")
    monkeypatch.setattr(bulk_lookup, "SCAN_RATIO", 10**9)  # always read whole
    scanned = _bulk(store, source, DuckDBEngine(), ["shandong_1000"])
    monkeypatch.setattr(bulk_lookup, "SCAN_RATIO", 0)  # always look up
    looked_up = _bulk(store, source, DuckDBEngine(), ["shandong_1000"])
    assert scanned == looked_up
    assert sum(1 for r in scanned if "信用评价等级为" in (r["explanation"] or "")) > 0
    assert sum(1 for r in scanned if r["subject_name"] and r["hits_json"] is None) > 0
