"""Simulating a change of an evaluation or risk model (评价模型 / 风险分类模型).

The candidate file is parsed and checked against the catalog (``evaluation_model.parse``: a
malformed model is refused before anything runs). One snapshot of the store is taken; the model
in force with the same code and the candidate are both computed over it by the evaluation's own
jobs (``analytics.evaluation.compute``) on the chosen engine (DuckDB or Spark); nothing is
written. The two score tables are then compared subject by subject: grades (or risk classes)
moving up or down, subjects graded only by one of them, and scores that move within a grade.
The model in force reports no change.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from gongxin.analytics import engines, evaluation, evaluation_model, snapshot
from gongxin.analytics.evaluation_model import EvaluationModel
from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput
from gongxin.simulation.engine import running_on
from gongxin.simulation.report import EXAMPLES, Example, Simulation, digest_of

LABELS: dict[str, tuple[str, str]] = {
    "up": ("等级上升", "grade or class moves up"),
    "down": ("等级下降", "grade or class moves down"),
    "new": ("新增评价", "graded only under the candidate"),
    "dropped": ("不再评价", "graded only under the model in force"),
    "score": ("等级不变、得分变化", "same grade, score changes"),
}


def read(path: Path, catalog: Catalog) -> EvaluationModel:
    """The candidate model in ``path``, checked whole."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"无法读取模型文件 {path}：{exc}", f"cannot read model file {path}: {exc}"
        ) from None
    return evaluation_model.parse(text, str(path), catalog)


_COMPARE = """
    WITH old AS ({old}),
         new AS (SELECT subject_id, centi, grade FROM read_parquet({new})),
         ranks(grade, rank) AS (VALUES {ranks}),
         both_ AS (
             SELECT coalesce(o.subject_id, n.subject_id) AS subject_id,
                    o.grade AS old_grade, n.grade AS new_grade,
                    o.centi AS old_centi, n.centi AS new_centi,
                    ro.rank AS old_rank, rn.rank AS new_rank
             FROM old AS o FULL OUTER JOIN new AS n ON o.subject_id = n.subject_id
             LEFT JOIN ranks AS ro ON ro.grade = o.grade
             LEFT JOIN ranks AS rn ON rn.grade = n.grade
         ),
         changed AS (
             SELECT *, CASE
                 WHEN old_grade IS NULL THEN 'new'
                 WHEN new_grade IS NULL THEN 'dropped'
                 WHEN old_grade = new_grade THEN 'score'
                 WHEN coalesce(new_rank, 999) < coalesce(old_rank, 999) THEN 'up'
                 ELSE 'down' END AS change
             FROM both_
             WHERE old_grade IS DISTINCT FROM new_grade OR old_centi IS DISTINCT FROM new_centi
         )
    SELECT c.change, count(*) OVER (PARTITION BY c.change) AS n,
           coalesce(s.name, s.uscc, CAST(c.subject_id AS VARCHAR)) AS who,
           c.old_grade, c.new_grade, c.old_centi, c.new_centi
    FROM changed AS c LEFT JOIN read_parquet({subjects}) AS s ON s.id = c.subject_id
    QUALIFY row_number() OVER (
        PARTITION BY c.change
        ORDER BY abs(coalesce(c.new_centi, 0) - coalesce(c.old_centi, 0)) DESC, c.subject_id
    ) <= {examples}
    ORDER BY c.change, abs(coalesce(c.new_centi, 0) - coalesce(c.old_centi, 0)) DESC, c.subject_id
"""


def _ranks(*models: EvaluationModel | None) -> str:
    """Each grade's rank, best first (a model lists its grades from the best down)."""
    ranks: dict[str, int] = {}
    for model in models:
        if model is not None:
            for n, g in enumerate(model.grades):
                ranks.setdefault(g.grade, n)
    return ", ".join(f"({engines.sql_literal(g)}, {n})" for g, n in ranks.items())


def simulate(
    store: sa.Engine,
    catalog: Catalog,
    path: Path,
    *,
    as_of: date,
    now: datetime,
    engine: str | engines.Engine = "duckdb",
    models_dir: Path | None = None,
    master: str = "local[*]",
) -> Simulation:
    """What the model in ``path`` would change against the model in force with its code."""
    candidate = read(path, catalog)  # refused here, before any snapshot or job
    models = evaluation_model.load_models(catalog, models_dir)
    current = models.get(candidate.code)
    with running_on(engine, master) as (runner, folder):
        sim = Simulation("model", str(path), digest_of(path), as_of, runner.name, labels=LABELS)
        if current is None:
            sim.notes.append(
                f"现行模型中没有 {candidate.code}：全部评价结果计为新增 "
                f"(no model {candidate.code} in force: every grade counts as new)"
            )
        taken = snapshot.take(store, folder / "snapshot", tables=("records", "subjects"), now=now)
        new = evaluation.compute(candidate, taken, runner, as_of, folder / "new")
        old = "SELECT NULL::BIGINT AS subject_id, NULL::BIGINT AS centi, NULL::VARCHAR AS grade"
        old += " WHERE false"  # no model in force with this code: nothing graded before
        if current is not None:
            kept = evaluation.compute(current, taken, runner, as_of, folder / "old")
            scores = engines.sql_literal(kept.files("scores"))
            old = f"SELECT subject_id, centi, grade FROM read_parquet({scores})"
        db = duckdb.connect(config={"memory_limit": engines.MEMORY_LIMIT, "threads": 2})
        try:
            sql = _COMPARE.format(
                old=old,
                new=engines.sql_literal(new.files("scores")),
                subjects=engines.sql_literal(str(taken.tables["subjects"])),
                ranks=_ranks(current, candidate),
                examples=EXAMPLES,
            )
            looked = db.execute(
                f"SELECT count(*) FROM read_parquet({engines.sql_literal(new.files('scores'))})"
            ).fetchone()
            sim.looked = int(looked[0]) if looked else 0
            for change, n, who, old_grade, new_grade, old_centi, new_centi in db.execute(
                sql
            ).fetchall():
                before = f"{old_grade}（{old_centi / 100:g} 分）" if old_grade else "—"
                after = f"{new_grade}（{new_centi / 100:g} 分）" if new_grade else "—"
                if change not in sim.counts:
                    sim.count(change, n=int(n))
                sim.examples.append(Example(change, str(who), candidate.label, before, after))
        finally:
            db.close()
    return sim
