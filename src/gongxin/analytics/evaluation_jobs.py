"""An evaluation model as batch jobs: DuckDB SQL generated from the model (Spark gets it
transpiled), in three steps that the contract test compares engine by engine.

1. ``hits``: every record an indicator counts on the day, with its points after decay — the
   records that explain a subject's score, exactly;
2. ``contributions``: per subject and indicator, the points after the cap and the direction;
3. ``scores``: per evaluated subject, the base score plus its contributions (bounded by the
   model's min and max) and the grade whose band holds it.

Points are summed in hundredths (integers) so that both engines agree to the last digit.
Which records count is the model's rule per indicator, on the stored decision columns
(``records/decisions.py``): ``in_force`` (in force and within its window on the day),
``public`` (the public may see it on the day) or ``shared`` (departments may read it).
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa

from gongxin.analytics.evaluation_model import CATEGORY_PREFIXES, EvaluationModel, Indicator
from gongxin.analytics.jobs import Job


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _day(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _texts(values: list[str]) -> str:
    return ", ".join(_text(v) for v in values)


def category_sql(column: str) -> str:
    """The subject category from the 统一社会信用代码 in ``column`` (CATEGORY_PREFIXES)."""
    whens = " ".join(
        f"WHEN {column} LIKE {_text(prefix + '%')} THEN {_text(name)}"
        for prefix, name in CATEGORY_PREFIXES
    )
    return f"CASE {whens} ELSE '其他' END"


def _counts(rule: str, as_of: date) -> str:
    window = (
        f"(r.pub_from IS NULL OR r.pub_from <= {_day(as_of)}) "
        f"AND (r.pub_until IS NULL OR r.pub_until >= {_day(as_of)})"
    )
    if rule == "in_force":
        return f"r.in_force AND {window}"
    if rule == "public":
        return f"r.is_public AND {window}"
    return "r.is_shared"


def _percent(ind: Indicator, as_of: date) -> str:
    if not ind.decay:
        return "100"
    whens = " ".join(
        f"WHEN r.event_date > {_day(as_of - timedelta(days=s.within_days))} THEN {s.percent}"
        for s in ind.decay
    )
    return f"CASE {whens} ELSE 0 END"


def _test_of(ind: Indicator, as_of: date) -> str:
    """The indicator's own conditions on a record ``r`` already of its dataset and in the
    model's widest window."""
    tests = [
        f"s.category IN ({_texts(ind.categories)})",
        f"r.event_date > {_day(as_of - timedelta(days=ind.window_days))}",
        _counts(ind.counts, as_of),
    ]
    for cond in ind.where:
        value = f"r.data ->> {_text(cond.field)}"
        if cond.in_ is not None:
            tests.append(f"{value} IN ({_texts(cond.in_)})")
        else:
            tests.append(f"({value} IS NULL OR {value} NOT IN ({_texts(cond.not_in or [])}))")
    return f"(i.indicator = {_text(ind.code)} AND {' AND '.join(tests)})"


def _hits_sql(model: EvaluationModel, as_of: date) -> str:
    """One scan of the records: each joined to the indicators of its dataset (a small inline
    table), kept where that indicator's conditions hold."""
    rows = ", ".join(
        f"({_text(i.code)}, {_text(i.dataset)}, CAST({i.points} AS BIGINT), "
        f"CAST({i.sign} AS BIGINT), CAST({'NULL' if i.cap is None else i.cap * 100} AS BIGINT))"
        for i in model.indicators
    )
    percent = " ".join(
        f"WHEN i.indicator = {_text(i.code)} THEN {_percent(i, as_of)}" for i in model.indicators
    )
    widest = max(i.window_days for i in model.indicators)
    datasets = sorted({i.dataset for i in model.indicators})
    tests = " OR ".join(_test_of(i, as_of) for i in model.indicators)
    return f"""
        WITH {_evaluated(model)},
        ind AS (SELECT * FROM (VALUES {rows}) AS v(indicator, dataset, points, sign, cap))
        SELECT r.subject_id, i.indicator, r.id AS record_id,
               CAST(i.points * (CASE {percent} ELSE 0 END) AS BIGINT) AS centi, i.sign, i.cap
        FROM records AS r
        JOIN evaluated AS s ON s.subject_id = r.subject_id
        JOIN ind AS i ON i.dataset = r.dataset
        WHERE r.dataset IN ({_texts(datasets)})
          AND r.event_date <= {_day(as_of)}
          AND r.event_date > {_day(as_of - timedelta(days=widest))}
          AND ({tests})
    """


def _evaluated(model: EvaluationModel) -> str:
    return (
        f"evaluated AS (SELECT id AS subject_id, category FROM ("
        f"SELECT id, {category_sql('uscc')} AS category FROM subjects) AS c "
        f"WHERE category IN ({_texts(model.subjects)}))"
    )


HITS_SCHEMA = pa.schema(
    [
        ("subject_id", pa.int64()),
        ("indicator", pa.string()),
        ("record_id", pa.int64()),
        ("centi", pa.int64()),
        ("sign", pa.int64()),
        ("cap", pa.int64()),
    ]
)
CONTRIBUTIONS_SCHEMA = pa.schema(
    [
        ("subject_id", pa.int64()),
        ("indicator", pa.string()),
        ("centi", pa.int64()),
        ("records", pa.int64()),
    ]
)
SCORES_SCHEMA = pa.schema(
    [
        ("subject_id", pa.int64()),
        ("category", pa.string()),
        ("centi", pa.int64()),
        ("grade", pa.string()),
    ]
)


def hits_job(model: EvaluationModel, as_of: date) -> Job:
    return Job(
        name=f"evaluate.{model.code}.hits",
        title=f"{model.name}：各指标计入的记录及其分值",
        inputs=("records", "subjects"),
        sql=_hits_sql(model, as_of),
        schema=HITS_SCHEMA,
        key=("subject_id", "indicator", "record_id"),
    )


def contributions_job(model: EvaluationModel) -> Job:
    return Job(
        name=f"evaluate.{model.code}.contributions",
        title=f"{model.name}：各主体各指标得分（封顶后）",
        inputs=("hits",),
        sql="""
            SELECT subject_id, indicator,
                   MAX(sign) * CASE WHEN MAX(cap) IS NULL THEN SUM(centi)
                                    ELSE LEAST(SUM(centi), MAX(cap)) END AS centi,
                   COUNT(*) AS records
            FROM hits
            GROUP BY subject_id, indicator
        """,
        schema=CONTRIBUTIONS_SCHEMA,
        key=("subject_id", "indicator"),
    )


def _bounded(model: EvaluationModel, total: str) -> str:
    if model.min_score is not None:
        total = f"GREATEST({total}, {model.min_score * 100})"
    if model.max_score is not None:
        total = f"LEAST({total}, {model.max_score * 100})"
    return total


def _grade(model: EvaluationModel) -> str:
    whens = " ".join(
        f"WHEN t.centi >= {round(g.min * 100)} THEN {_text(g.grade)}"
        for g in model.grades
        if g.min is not None
    )
    return f"CASE {whens} ELSE {_text(model.grades[-1].grade)} END"


def scores_job(model: EvaluationModel) -> Job:
    total = _bounded(model, f"{model.base_score * 100} + COALESCE(c.centi, 0)")
    return Job(
        name=f"evaluate.{model.code}.scores",
        title=f"{model.name}：各主体得分与等级",
        inputs=("subjects", "contributions"),
        sql=f"""
            WITH {_evaluated(model)},
            per_subject AS (
                SELECT subject_id, SUM(centi) AS centi FROM contributions GROUP BY subject_id
            ),
            t AS (
                SELECT s.subject_id, s.category, CAST({total} AS BIGINT) AS centi
                FROM evaluated AS s LEFT JOIN per_subject AS c ON c.subject_id = s.subject_id
            )
            SELECT t.subject_id, t.category, t.centi, {_grade(model)} AS grade FROM t
        """,
        schema=SCORES_SCHEMA,
        key=("subject_id",),
    )
