"""信用风险分类 and the 双随机 draw: a risk model (``kind: risk``) is run like any evaluation
model (its grades are the risk classes); a draw picks, per class, the model's sampling share
of that class's subjects with a seeded generator — the same run and seed give the same draw —
and is kept in ``risk_draws`` and recorded in the audit log, exportable for the inspecting
departments."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gongxin.analytics.evaluation import get_run
from gongxin.analytics.evaluation_model import EvaluationModel
from gongxin.audit import log as audit
from gongxin.db.evaluation_tables import evaluation_results, risk_draws
from gongxin.db.models import subjects
from gongxin.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Draw:
    id: int
    run_id: int
    task: str
    seed: str
    drawn: dict[str, list[int]]  # class → subject ids, ascending
    population: dict[str, int]  # class → subjects in the class


def pick(
    population: dict[str, list[int]], percents: dict[str, float], seed: str
) -> dict[str, list[int]]:
    """Per class, ceil(percent × size / 100) subjects drawn without replacement, seeded by
    ``seed`` and the class (so adding a class does not change another's draw)."""
    drawn: dict[str, list[int]] = {}
    for grade, members in sorted(population.items()):
        share = percents.get(grade, 0.0)
        size = min(len(members), math.ceil(share * len(members) / 100))
        digest = hashlib.sha256(f"{seed}|{grade}".encode()).digest()
        generator = random.Random(int.from_bytes(digest[:8], "big"))
        drawn[grade] = sorted(generator.sample(sorted(members), size))
    return drawn


def draw(
    conn: sa.Connection,
    run_id: int,
    *,
    task: str,
    seed: str,
    actor: str,
    now: datetime,
) -> Draw:
    """Draw the inspection targets of ``task`` from risk run ``run_id`` (in the caller's
    transaction, with its audit entry)."""
    run = get_run(conn, run_id)
    model = EvaluationModel.model_validate(run.definition)
    if model.kind != "risk" or not model.sampling:
        raise InvalidInput(
            f"评价 {run_id}（模型 {run.model}）不是带抽查比例的信用风险分类",
            f"run {run_id} (model {run.model}) is not a risk classification with sampling ratios",
        )
    task, seed = task.strip(), seed.strip()
    if not task or not seed or len(task) > 200 or len(seed) > 64:
        raise InvalidInput(
            "抽查任务名称（≤200 字）和随机种子（≤64 字）不能为空",
            "the task name (≤200 chars) and the seed (≤64 chars) are required",
        )
    population: dict[str, list[int]] = {g.grade: [] for g in model.grades}
    rows = conn.execute(
        sa.select(evaluation_results.c.subject_id, evaluation_results.c.grade).where(
            evaluation_results.c.run_id == run_id
        )
    )
    for subject_id, grade in rows:
        population.setdefault(grade, []).append(subject_id)
    percents = {g: s.percent for g, s in model.sampling.items()}
    drawn = pick(population, percents, seed)
    draw_id = conn.execute(
        risk_draws.insert()
        .values(run_id=run_id, task=task, seed=seed, drawn=drawn, created_at=now, created_by=actor)
        .returning(risk_draws.c.id)
    ).scalar_one()
    audit.record(
        conn, actor=actor, action="risk.draw", target=f"risk_draw:{draw_id}", now=now,
        detail={"run": run_id, "model": run.model, "version": run.model_version, "task": task,
                "seed": seed, "drawn": {g: len(v) for g, v in drawn.items()},
                "population": {g: len(v) for g, v in population.items()}},
    )  # fmt: skip
    return Draw(draw_id, run_id, task, seed, drawn, {g: len(v) for g, v in population.items()})


def get_draw(conn: sa.Connection, draw_id: int) -> sa.Row[Any]:
    row = conn.execute(sa.select(risk_draws).where(risk_draws.c.id == draw_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {draw_id} 的抽查", f"no inspection draw {draw_id}")
    return row


def export_csv(conn: sa.Connection, draw_id: int) -> str:
    """The draw as CSV for the inspecting departments: class, code, name, address."""
    row = get_draw(conn, draw_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["抽查任务", "风险分类", "统一社会信用代码", "主体名称", "住所"])
    for grade, ids in sorted(row.drawn.items()):
        for start in range(0, len(ids), 500):
            found = conn.execute(
                sa.select(subjects.c.id, subjects.c.uscc, subjects.c.name, subjects.c.address)
                .where(subjects.c.id.in_(ids[start : start + 500]))
                .order_by(subjects.c.id)
            )
            for s in found:
                writer.writerow([row.task, grade, s.uscc or "", s.name, s.address or ""])
    return out.getvalue()
