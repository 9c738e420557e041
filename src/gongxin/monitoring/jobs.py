"""The monitoring figures as batch jobs: DuckDB SQL generated from the rules (Spark gets it
transpiled), answered alike by both engines (the contract test compares them row by row).

- ``flow``: registrations and exits (注销, 吊销, 撤销 apart) per calendar month;
- ``survival``: per dimension (all, GB/T 4754 section, GB/T 2260 region) and horizon k, the
  subjects registered at least k years before the day (``at_risk``) and those of them that had
  not exited on their k-th anniversary (``survived``). An exited subject whose exit date is
  unknown cannot be placed and is left out; one that exits on its anniversary did not survive;
- ``cohorts``: each founding year's newly founded small companies (the rules' proxy) and how
  many were penalised, put on a list, or exited by the day;
- ``scorecards``: per provider department, the counts behind each 归集考核 component.

Every answer is counts (BIGINT), so the engines agree to the last digit; shares and the
weighted score are computed from them when written (``service``).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from gongxin.analytics.jobs import Job
from gongxin.monitoring.rules import Rules

EXCLUDED = ("withdrawn", "revoked")  # records withdrawn or revoked by their department: errors


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _texts(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(_q(v) for v in values) or "NULL"


def _gone(rules: Rules, prefix: str = "") -> str:
    """The subject exited on or before the day (its status an exit, its date not later)."""
    return (
        f"({prefix}reg_status IN ({_texts(list(rules.exits))}) "
        f"AND ({prefix}exit_date IS NULL OR {prefix}exit_date <= {{as_of}}))"
    )


def flow_job(rules: Rules) -> Job:
    def count(name: str) -> str:
        statuses = [s for s, v in rules.exits.items() if v == name]
        return (
            f"CASE WHEN reg_status IN ({_texts(statuses)}) THEN 1 ELSE 0 END" if statuses else "0"
        )

    sql = f"""
        WITH ev AS (
            SELECT EXTRACT(year FROM reg_date) AS y, EXTRACT(month FROM reg_date) AS m,
                   1 AS reg, 0 AS dereg, 0 AS rev, 0 AS canc
            FROM subjects WHERE reg_date IS NOT NULL AND reg_date <= {{as_of}}
            UNION ALL
            SELECT EXTRACT(year FROM exit_date) AS y, EXTRACT(month FROM exit_date) AS m,
                   0 AS reg, {count("deregistered")} AS dereg, {count("revoked")} AS rev,
                   {count("cancelled")} AS canc
            FROM subjects
            WHERE exit_date IS NOT NULL AND exit_date <= {{as_of}}
              AND reg_status IN ({_texts(list(rules.exits))})
        )
        SELECT CAST(y AS BIGINT) AS year, CAST(m AS BIGINT) AS month,
               CAST(SUM(reg) AS BIGINT) AS registered, CAST(SUM(dereg) AS BIGINT) AS deregistered,
               CAST(SUM(rev) AS BIGINT) AS revoked, CAST(SUM(canc) AS BIGINT) AS cancelled
        FROM ev GROUP BY y, m
    """
    return Job(
        name="monitoring.flow",
        title="市场主体设立与退出（按月）",
        inputs=("subjects",),
        sql=sql,
        schema=pa.schema(
            [
                (c, pa.int64())
                for c in ("year", "month", "registered", "deregistered", "revoked", "cancelled")
            ]
        ),
        key=("year", "month"),
    )


def survival_job(rules: Rules) -> Job:
    per_horizon = " UNION ALL ".join(
        f"SELECT CAST({k} AS BIGINT) AS horizon, section, region, area, "
        f"CASE WHEN gone = 1 AND exit_date <= CAST(reg_date + INTERVAL {k} YEAR AS DATE) "
        f"THEN 0 ELSE 1 END AS alive "
        f"FROM base WHERE CAST(reg_date + INTERVAL {k} YEAR AS DATE) <= {{as_of}}"
        for k in rules.horizons
    )
    sql = f"""
        WITH base AS (
            SELECT reg_date, exit_date,
                   CASE WHEN {_gone(rules)} THEN 1 ELSE 0 END AS gone,
                   COALESCE(upper(substr(industry_code, 1, 1)), '') AS section,
                   COALESCE(substr(region_code, 1, {rules.region_digits}), '') AS region,
                   COALESCE(region, '') AS area
            FROM subjects
            WHERE reg_date IS NOT NULL AND reg_date <= {{as_of}}
              AND NOT ({_gone(rules)} AND exit_date IS NULL)
        ),
        h AS ({per_horizon})
        SELECT 'all' AS dimension, '' AS key, horizon, '' AS area,
               COUNT(*) AS at_risk, CAST(SUM(alive) AS BIGINT) AS survived
        FROM h GROUP BY horizon
        UNION ALL
        SELECT 'industry' AS dimension, section AS key, horizon, '' AS area,
               COUNT(*) AS at_risk, CAST(SUM(alive) AS BIGINT) AS survived
        FROM h GROUP BY section, horizon
        UNION ALL
        SELECT 'region' AS dimension, region AS key, horizon, MIN(area) AS area,
               COUNT(*) AS at_risk, CAST(SUM(alive) AS BIGINT) AS survived
        FROM h GROUP BY region, horizon
    """
    return Job(
        name="monitoring.survival",
        title="市场主体 1、3、5 年生存率（按行业门类、行政区划）",
        inputs=("subjects",),
        sql=sql,
        schema=pa.schema(
            [
                ("dimension", pa.string()),
                ("key", pa.string()),
                ("horizon", pa.int64()),
                ("area", pa.string()),
                ("at_risk", pa.int64()),
                ("survived", pa.int64()),
            ]
        ),
        key=("dimension", "key", "horizon"),
    )


def cohorts_job(rules: Rules, as_of: date) -> Job:
    small = rules.small_companies
    first = as_of.year - small.cohort_years + 1
    prefixes = " OR ".join(f"uscc LIKE {_q(p + '%')}" for p in small.code_prefixes)

    def touched(datasets: list[str]) -> str:
        return (
            f"SELECT DISTINCT r.subject_id FROM records AS r JOIN small AS s ON s.id = r.subject_id"
            f" WHERE r.dataset IN ({_texts(datasets)}) AND r.event_date IS NOT NULL"
            f" AND r.event_date <= {{as_of}} AND r.status NOT IN ({_texts(EXCLUDED)})"
        )

    sql = f"""
        WITH small AS (
            SELECT id, CAST(EXTRACT(year FROM reg_date) AS BIGINT) AS year,
                   CASE WHEN {_gone(rules)} THEN 1 ELSE 0 END AS exited
            FROM subjects
            WHERE reg_date IS NOT NULL AND reg_date <= {{as_of}}
              AND EXTRACT(year FROM reg_date) >= {first}
              AND ({prefixes})
              AND capital IS NOT NULL AND capital <= {small.max_capital}
              AND (capital_unit IS NULL OR capital_unit = '万元人民币')
        ),
        pen AS ({touched(rules.penalty_datasets)}),
        lst AS ({touched(rules.list_datasets)})
        SELECT s.year, COUNT(*) AS founded,
               CAST(SUM(CASE WHEN p.subject_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS penalised,
               CAST(SUM(CASE WHEN l.subject_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS listed,
               CAST(SUM(s.exited) AS BIGINT) AS exited
        FROM small AS s
        LEFT JOIN pen AS p ON p.subject_id = s.id
        LEFT JOIN lst AS l ON l.subject_id = s.id
        GROUP BY s.year
    """
    return Job(
        name="monitoring.cohorts",
        title="新设小微企业（按成立年度）：受处罚、列入名单与退出",
        inputs=("subjects", "records"),
        sql=sql,
        schema=pa.schema(
            [(c, pa.int64()) for c in ("year", "founded", "penalised", "listed", "exited")]
        ),
        key=("year",),
    )


def _filled(fields: dict[str, list[str]]) -> tuple[str, str]:
    """Per record: how many catalog fields its dataset has, and how many of them it fills."""
    sizes = " ".join(f"WHEN {_q(d)} THEN {len(f)}" for d, f in sorted(fields.items()) if f)
    filled = " ".join(
        f"WHEN {_q(d)} THEN "
        + " + ".join(
            f"CASE WHEN COALESCE(r.data ->> {_q(c)}, '') <> '' THEN 1 ELSE 0 END" for c in f
        )
        for d, f in sorted(fields.items())
        if f
    )
    return f"CASE r.dataset {sizes} ELSE 0 END", f"CASE r.dataset {filled} ELSE 0 END"


SCORECARD_INPUTS = ("departments", "records", "submissions", "applications", "timeliness")
SCORECARD_SCHEMA = pa.schema(
    [("department_id", pa.int64()), ("department", pa.string())]
    + [(c, pa.int64()) for c in ("judged", "on_time", "fields", "filled", "rows", "rejected",
                                 "sgs_rows", "sgs_clean", "due", "kept")]
)  # fmt: skip


def scorecards_job(rules: Rules, fields: dict[str, list[str]]) -> Job:
    """``fields``: each dataset's catalog field codes (completeness)."""
    sizes, filled = _filled(fields)
    sgs = _texts(rules.scorecard.sgs_datasets)
    sql = f"""
        WITH rec AS (
            SELECT r.department_id, CAST(SUM({sizes}) AS BIGINT) AS fields,
                   CAST(SUM({filled}) AS BIGINT) AS filled
            FROM records AS r
            WHERE r.status NOT IN ({_texts(EXCLUDED)})
              AND (r.event_date IS NULL OR r.event_date <= {{as_of}})
            GROUP BY r.department_id
        ),
        sub AS (
            SELECT department_id, CAST(SUM(rows) AS BIGINT) AS rows,
                   CAST(SUM(rejected) AS BIGINT) AS rejected,
                   CAST(SUM(CASE WHEN dataset IN ({sgs}) THEN rows ELSE 0 END) AS BIGINT)
                       AS sgs_rows,
                   CAST(SUM(CASE WHEN dataset IN ({sgs})
                                 THEN GREATEST(rows - rejected - warnings, 0) ELSE 0 END)
                        AS BIGINT) AS sgs_clean
            FROM submissions WHERE received_on IS NULL OR received_on <= {{as_of}}
            GROUP BY department_id
        ),
        app AS (
            SELECT department_id,
                   CAST(SUM(CASE WHEN decided_on IS NOT NULL AND decided_on <= {{as_of}} THEN 1
                                 WHEN paused_since IS NULL AND due_on < {{as_of}} THEN 1
                                 ELSE 0 END) AS BIGINT) AS due,
                   CAST(SUM(CASE WHEN decided_on IS NOT NULL AND decided_on <= {{as_of}}
                                      AND decided_on <= due_on THEN 1 ELSE 0 END) AS BIGINT)
                       AS kept
            FROM applications WHERE received_on <= {{as_of}}
            GROUP BY department_id
        )
        SELECT d.id AS department_id, d.name AS department,
               COALESCE(t.judged, 0) AS judged, COALESCE(t.on_time, 0) AS on_time,
               COALESCE(rec.fields, 0) AS fields, COALESCE(rec.filled, 0) AS filled,
               COALESCE(sub.rows, 0) AS rows, COALESCE(sub.rejected, 0) AS rejected,
               COALESCE(sub.sgs_rows, 0) AS sgs_rows, COALESCE(sub.sgs_clean, 0) AS sgs_clean,
               COALESCE(app.due, 0) AS due, COALESCE(app.kept, 0) AS kept
        FROM departments AS d
        LEFT JOIN timeliness AS t ON t.department = d.name
        LEFT JOIN rec ON rec.department_id = d.id
        LEFT JOIN sub ON sub.department_id = d.id
        LEFT JOIN app ON app.department_id = d.id
        WHERE COALESCE(t.judged, 0) + COALESCE(rec.fields, 0) + COALESCE(sub.rows, 0)
              + COALESCE(app.due, 0) > 0
    """
    return Job(
        name="monitoring.scorecards",
        title="部门归集考核：及时、完整、退回、双公示合规、异议与修复按期办结",
        inputs=SCORECARD_INPUTS,
        sql=sql,
        schema=SCORECARD_SCHEMA,
        key=("department_id",),
    )
