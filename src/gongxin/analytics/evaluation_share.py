"""Evaluation results shared with departments through the exchange, as a dataset: the current
run of a grade model, page by page in subject order (a cursor, not offsets), each read audited
with the caller's purpose. Risk classes are for supervisors only and are not shared here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from gongxin.analytics.evaluation import current_run
from gongxin.audit import log as audit
from gongxin.db.evaluation_tables import evaluation_results
from gongxin.db.models import subjects
from gongxin.errors import Forbidden, InvalidInput, NotFound

MAX_PAGE = 5000


@dataclass(frozen=True)
class SharedPage:
    model: str
    version: str
    run_id: int
    as_of: date
    total: int
    rows: list[dict[str, Any]]
    next_after: int | None  # pass as ``after`` for the next page; None: this was the last


def results_page(
    conn: sa.Connection,
    model: str,
    *,
    after: int,
    size: int,
    actor: str,
    department_id: int,
    purpose: str | None,
    now: datetime,
) -> SharedPage:
    """One page of the current run of ``model`` (subjects with id > ``after``), audited in the
    caller's transaction."""
    if not 1 <= size <= MAX_PAGE or after < 0:
        raise InvalidInput(
            f"size 须为 1–{MAX_PAGE}，after 不小于 0", f"size must be 1–{MAX_PAGE}, after ≥ 0"
        )
    run = current_run(conn, model[:40])
    if run is None:
        raise NotFound(f"评价模型 {model[:40]} 尚无已完成的评价", f"model {model[:40]} has no run")
    if run.kind != "grade":
        raise Forbidden(
            f"{model} 是信用风险分类，仅供监管内部使用，不经共享交换提供",
            f"{model} is a risk classification, internal to supervision and not shared",
        )
    labels = {g["grade"]: g["label"] for g in run.definition["grades"]}
    found = conn.execute(
        sa.select(
            subjects.c.id,
            subjects.c.uscc,
            subjects.c.name,
            evaluation_results.c.category,
            evaluation_results.c.score,
            evaluation_results.c.grade,
        )
        .join(subjects, subjects.c.id == evaluation_results.c.subject_id)
        .where(evaluation_results.c.run_id == run.id, evaluation_results.c.subject_id > after)
        .order_by(evaluation_results.c.subject_id)
        .limit(size + 1)
    ).all()
    rows = [
        {"subject_id": r.id, "uscc": r.uscc, "name": r.name, "category": r.category,
         "score": Decimal(r.score), "grade": r.grade, "label": labels.get(r.grade, "")}
        for r in found[:size]
    ]  # fmt: skip
    audit.record(
        conn, actor=actor, action="evaluation.read", target=f"evaluation_run:{run.id}", now=now,
        department_id=department_id, purpose=purpose,
        detail={"model": run.model, "after": after, "rows": len(rows)},
    )  # fmt: skip
    return SharedPage(
        run.model, run.model_version, int(run.id), run.as_of, int(run.subjects), rows,
        rows[-1]["subject_id"] if len(found) > size else None,
    )  # fmt: skip
