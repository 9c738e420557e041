"""A subject's current credit grades and their explanation, as the profile, the API and the
credit check show them: per model listed by the deployment (``GONGXIN_EVALUATION_PUBLISH`` for
the public; every model for the centre), the latest complete run's score and grade, and each
indicator's points with the records that caused them. Records the audience may not see are
counted, not shown (the record list goes through the visibility gate)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.evaluation_tables import (
    evaluation_contributions,
    evaluation_results,
    evaluation_runs,
)
from gongxin.db.models import records
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience


@dataclass(frozen=True)
class Cause:
    indicator: str
    name: str
    points: Decimal
    records: list[dict[str, Any]]  # {"id", "dataset", "event_date"} the audience may see
    hidden: int  # records counted that the audience may not see


@dataclass(frozen=True)
class GradeView:
    model: str
    model_name: str
    version: str
    run_id: int
    as_of: date
    score: Decimal
    grade: str
    label: str
    base_score: int
    legal_basis: str
    causes: list[Cause] = field(default_factory=list)


def _current_runs(conn: sa.Connection, models: Sequence[str]) -> list[sa.Row[Any]]:
    """The current run (the latest complete one) of each of ``models`` that has one, in the
    order of ``models``: one query for all of them."""
    if not models:
        return []
    r = evaluation_runs.c
    ranked = (
        sa.select(
            r.id,
            sa.func.row_number()
            .over(partition_by=r.model, order_by=(r.as_of.desc(), r.id.desc()))
            .label("n"),
        )
        .where(r.model.in_(list(models)), r.status == "complete")
        .subquery()
    )
    rows = conn.execute(
        sa.select(evaluation_runs).join(ranked, ranked.c.id == r.id).where(ranked.c.n == 1)
    ).all()
    by_model = {row.model: row for row in rows}
    return [by_model[m] for m in models if m in by_model]


def grades(
    conn: sa.Connection,
    subject_id: int,
    models: Sequence[str],
    *,
    audience: Audience,
    as_of: date,
) -> list[GradeView]:
    """The subject's grade in the current run of each of ``models`` that evaluated it."""
    views = []
    for run in _current_runs(conn, models):
        if audience is Audience.PUBLIC and run.kind != "grade":
            continue  # risk classes are never published (不公开), whatever the setting says
        result = conn.execute(
            sa.select(evaluation_results).where(
                evaluation_results.c.run_id == run.id,
                evaluation_results.c.subject_id == subject_id,
            )
        ).first()
        if result is None:
            continue
        definition = run.definition
        names = {i["code"]: i["name"] for i in definition["indicators"]}
        labels = {g["grade"]: g["label"] for g in definition["grades"]}
        causes = []
        for c in conn.execute(
            sa.select(evaluation_contributions)
            .where(
                evaluation_contributions.c.run_id == run.id,
                evaluation_contributions.c.subject_id == subject_id,
            )
            .order_by(evaluation_contributions.c.indicator)
        ):
            shown = [
                {"id": r.id, "dataset": r.dataset, "event_date": r.event_date}
                for r in conn.execute(
                    sa.select(records.c.id, records.c.dataset, records.c.event_date)
                    .where(records.c.id.in_(c.record_ids), visible_now(audience, as_of))
                    .order_by(records.c.id)
                )
            ]
            causes.append(
                Cause(
                    c.indicator,
                    names.get(c.indicator, c.indicator),
                    Decimal(c.points),
                    shown,
                    len(c.record_ids) - len(shown),
                )
            )
        views.append(
            GradeView(
                run.model,
                definition["name"],
                run.model_version,
                run.id,
                run.as_of,
                Decimal(result.score),
                result.grade,
                labels.get(result.grade, ""),
                int(definition["base_score"]),
                definition["legal_basis"],
                causes,
            )
        )
    return views


def _grade_of(run: sa.Row[Any], labels: dict[str, str], score: Any, grade: str) -> dict[str, Any]:
    return {
        "model": run.model, "model_name": run.definition["name"], "version": run.model_version,
        "as_of": run.as_of.isoformat(), "score": str(Decimal(score)), "grade": grade,
        "label": labels.get(grade, ""),
    }  # fmt: skip


def grade_runs(conn: sa.Connection, models: Sequence[str]) -> list[sa.Row[Any]]:
    """The current run of each *grade* model of ``models`` (risk classes are never used
    outside supervision: 不惩戒)."""
    return [run for run in _current_runs(conn, models) if run.kind == "grade"]


def current_grades(
    conn: sa.Connection, subject_ids: Sequence[int], models: Sequence[str]
) -> dict[int, list[dict[str, Any]]]:
    """Each subject's grade in the current run of each grade model of ``models``, for the
    credit check's answer: one indexed lookup per run and chunk of subjects (primary key
    ``run_id, subject_id``)."""
    found: dict[int, list[dict[str, Any]]] = {}
    ids = sorted(set(subject_ids))
    if not ids:
        return found  # no registered subject: no grade to look up, nor runs to read
    for run in grade_runs(conn, models):
        labels = {g["grade"]: g["label"] for g in run.definition["grades"]}
        for start in range(0, len(ids), 500):
            for subject_id, score, grade in conn.execute(
                sa.select(
                    evaluation_results.c.subject_id,
                    evaluation_results.c.score,
                    evaluation_results.c.grade,
                ).where(
                    evaluation_results.c.run_id == run.id,
                    evaluation_results.c.subject_id.in_(ids[start : start + 500]),
                )
            ):
                found.setdefault(subject_id, []).append(_grade_of(run, labels, score, grade))
    return found


def graded_codes(
    conn: sa.Connection, run_id: int, codes: Sequence[str] | None, batch: int = 50_000
) -> Iterator[Sequence[tuple[Any, ...]]]:
    """``(uscc, grade)`` of the subjects the run ``run_id`` graded, in batches, for the bulk
    check: those of ``codes`` through the indexed ``uscc`` (a chunk of codes per query), or
    with ``None`` every graded subject that has a code, in one scan (for a file of codes as
    large as the registry)."""
    table = "subjects JOIN evaluation_results ON evaluation_results.subject_id = subjects.id"
    where = f"evaluation_results.run_id = {dialect.mark(conn)}"
    if codes is not None:
        yield dialect.select_in(
            conn, table, "subjects.uscc", ("evaluation_results.grade",), codes, where=where,
            params=(run_id,),
        )  # fmt: skip
        return
    yield from dialect.driver_batches(
        conn,
        f"SELECT subjects.uscc, evaluation_results.grade FROM {table}"
        f" WHERE {where} AND subjects.uscc IS NOT NULL",
        (run_id,),
        batch,
    )


def grade_sentence(grades: Sequence[dict[str, Any]]) -> str:
    """The grades as the check's explanation says them (one sentence per model)."""
    return "".join(
        f"其信用评价等级为 {g['grade']}（{g['label']}，{g['model_name']} {g['version']}，"
        f"评价日期 {g['as_of']}）。"
        for g in grades
    )
