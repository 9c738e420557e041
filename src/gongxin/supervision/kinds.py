"""The checks warning rules can use, each as one DuckDB SQL query over the analytics snapshot.

Every check answers rows of the same shape: the subject warned about, a related subject and a
record as evidence (either may be NULL), a detail (what was shared or changed), a value
(a count, a number of days or a rate in percent) and a baseline (what the value is compared
with: the peers' rate of the statistical anomaly; NULL for the other checks). The queries use
only portable SQL, so the analytics engine runs them on DuckDB or, transpiled, on Spark with
the same answers.
"""

from __future__ import annotations

import pyarrow as pa

from gongxin.analytics.jobs import Job
from gongxin.supervision.rules import (
    AbnormalWhileLicensedParams,
    AddressClusterParams,
    FrequentChangesParams,
    ListedRepParams,
    PenaltyAfterRegistrationParams,
    PenaltyRateAnomalyParams,
    Rule,
)

SCHEMA = pa.schema(
    [
        ("subject_id", pa.int64()),
        ("related_id", pa.int64()),
        ("record_id", pa.int64()),
        ("detail", pa.string()),
        ("value", pa.float64()),
        ("baseline", pa.float64()),
    ]
)
KEY = ("subject_id", "related_id", "record_id", "detail")
_IN_FORCE = """{t}.in_force AND ({t}.pub_from IS NULL OR {t}.pub_from <= {{as_of}})
               AND ({t}.pub_until IS NULL OR {t}.pub_until >= {{as_of}})"""


def _strings(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _listed_rep(p: ListedRepParams) -> tuple[tuple[str, ...], str]:
    return (
        ("records", "subject_parties"),
        f"""
        SELECT o.subject_id AS subject_id,
               r.subject_id AS related_id,
               r.id AS record_id,
               r.dataset AS detail,
               CAST(NULL AS DOUBLE) AS value,
               CAST(NULL AS DOUBLE) AS baseline
        FROM records AS r
        JOIN subject_parties AS l ON l.subject_id = r.subject_id AND l.kind = 'legal_rep'
        JOIN subject_parties AS o
          ON o.kind = 'legal_rep' AND o.key = l.key AND o.subject_id <> l.subject_id
        WHERE r.dataset IN ({_strings(p.datasets)}) AND {_IN_FORCE.format(t="r")}
    """,
    )


def _address_cluster(p: AddressClusterParams) -> tuple[tuple[str, ...], str]:
    return (
        ("subjects", "subject_parties"),
        f"""
        WITH active AS (
            SELECT a.subject_id, a.key, a.label
            FROM subject_parties AS a
            JOIN subjects AS s ON s.id = a.subject_id
            WHERE a.kind = 'address'
              AND (s.reg_status IS NULL OR s.reg_status IN ({_strings(p.statuses)}))
        ),
        big AS (
            SELECT key, COUNT(*) AS n FROM active GROUP BY key HAVING COUNT(*) >= {p.min_subjects}
        )
        SELECT a.subject_id AS subject_id,
               CAST(NULL AS BIGINT) AS related_id,
               CAST(NULL AS BIGINT) AS record_id,
               a.label AS detail,
               CAST(b.n AS DOUBLE) AS value,
               CAST(NULL AS DOUBLE) AS baseline
        FROM active AS a JOIN big AS b ON a.key = b.key
    """,
    )


def _frequent_changes(p: FrequentChangesParams) -> tuple[tuple[str, ...], str]:
    return (
        ("subject_changes",),
        f"""
        SELECT subject_id,
               CAST(NULL AS BIGINT) AS related_id,
               CAST(NULL AS BIGINT) AS record_id,
               item AS detail,
               CAST(COUNT(*) AS DOUBLE) AS value,
               CAST(NULL AS DOUBLE) AS baseline
        FROM subject_changes
        WHERE item IN ({_strings(p.items)})
          AND changed_on <= {{as_of}}
          AND changed_on > {{as_of}} - INTERVAL '{p.window_days}' DAY
        GROUP BY subject_id, item
        HAVING COUNT(*) >= {p.min_changes}
    """,
    )


def _penalty_after_registration(p: PenaltyAfterRegistrationParams) -> tuple[tuple[str, ...], str]:
    return (
        ("records", "subjects"),
        f"""
        SELECT r.subject_id AS subject_id,
               CAST(NULL AS BIGINT) AS related_id,
               r.id AS record_id,
               r.dataset AS detail,
               CAST(DATE_DIFF('day', s.reg_date, r.event_date) AS DOUBLE) AS value,
               CAST(NULL AS DOUBLE) AS baseline
        FROM records AS r
        JOIN subjects AS s ON s.id = r.subject_id
        WHERE r.dataset IN ({_strings(p.datasets)})
          AND r.event_date >= s.reg_date
          AND r.event_date <= {{as_of}}
          AND DATE_DIFF('day', s.reg_date, r.event_date) <= {p.days}
    """,
    )


def _abnormal_while_licensed(p: AbnormalWhileLicensedParams) -> tuple[tuple[str, ...], str]:
    return (
        ("records",),
        f"""
        SELECT a.subject_id AS subject_id,
               CAST(NULL AS BIGINT) AS related_id,
               l.id AS record_id,
               l.dataset AS detail,
               CAST(DATE_DIFF('day', a.event_date, l.event_date) AS DOUBLE) AS value,
               CAST(NULL AS DOUBLE) AS baseline
        FROM records AS a
        JOIN records AS l ON l.subject_id = a.subject_id
        WHERE a.dataset IN ({_strings(p.lists)})
          AND l.dataset IN ({_strings(p.licences)})
          AND {_IN_FORCE.format(t="a")}
          AND l.event_date >= a.event_date
          AND l.event_date <= {{as_of}}
    """,
    )


def _penalty_rate_anomaly(p: PenaltyRateAnomalyParams) -> tuple[tuple[str, ...], str]:
    """Cells (industry × region) whose share of penalised subjects in the window stands out
    against the same industry in every other region: the cell needs ``min_subjects`` subjects,
    ``min_penalised`` of them penalised, ``min_peers`` peers; its rate ≥ ``min_ratio`` × the
    peers' rate (add-one smoothed, never 0) and the binomial z-score of its count at the peers'
    rate ≥ ``min_z``. The penalised subjects of such a cell are warned about, with their
    penalties as evidence; value: the cell's rate, baseline: the peers' (both in percent)."""
    return (
        ("records", "subjects"),
        f"""
        WITH pop AS (
            SELECT id,
                   SUBSTR(industry_code, 1, {p.industry_digits}) AS industry,
                   SUBSTR(region_code, 1, {p.region_digits}) AS region
            FROM subjects
            WHERE industry_code IS NOT NULL AND region_code IS NOT NULL
              AND LENGTH(industry_code) >= {p.industry_digits}
              AND LENGTH(region_code) >= {p.region_digits}
              AND (reg_status IS NULL OR reg_status IN ({_strings(p.statuses)}))
              AND (reg_date IS NULL OR reg_date <= {{as_of}})
        ),
        hits AS (
            SELECT r.subject_id, r.id AS record_id
            FROM records AS r
            WHERE r.dataset IN ({_strings(p.datasets)})
              AND r.subject_id IS NOT NULL
              AND r.status NOT IN ('withdrawn', 'revoked')
              AND r.event_date <= {{as_of}}
              AND r.event_date > {{as_of}} - INTERVAL '{p.window_days}' DAY
        ),
        penalised AS (SELECT DISTINCT subject_id FROM hits),
        cells AS (
            SELECT a.industry, a.region, COUNT(*) AS n, COUNT(x.subject_id) AS k
            FROM pop AS a LEFT JOIN penalised AS x ON x.subject_id = a.id
            GROUP BY a.industry, a.region
        ),
        industries AS (
            SELECT industry, SUM(n) AS n, SUM(k) AS k FROM cells GROUP BY industry
        ),
        scored AS (
            SELECT c.industry, c.region, c.n, c.k, i.n - c.n AS peers,
                   CAST(c.k AS DOUBLE) / CAST(c.n AS DOUBLE) AS rate,
                   CAST(i.k - c.k + 1 AS DOUBLE) / CAST(i.n - c.n + 2 AS DOUBLE) AS peer_rate
            FROM cells AS c JOIN industries AS i ON i.industry = c.industry
        ),
        flagged AS (
            SELECT * FROM scored
            WHERE n >= {p.min_subjects} AND k >= {p.min_penalised} AND peers >= {p.min_peers}
              AND rate >= {p.min_ratio} * peer_rate
              AND (k - n * peer_rate) / SQRT(n * peer_rate * (1 - peer_rate)) >= {p.min_z}
        )
        SELECT h.subject_id AS subject_id,
               CAST(NULL AS BIGINT) AS related_id,
               h.record_id AS record_id,
               f.industry || ' × ' || f.region || '（' || CAST(f.n AS VARCHAR) || ' 户中 '
                   || CAST(f.k AS VARCHAR) || ' 户受处罚）' AS detail,
               100 * f.rate AS value,
               100 * f.peer_rate AS baseline
        FROM flagged AS f
        JOIN pop AS a ON a.industry = f.industry AND a.region = f.region
        JOIN hits AS h ON h.subject_id = a.id
    """,
    )


def job(rule: Rule) -> Job:
    """The rule's check as an analytics job (same answers on every engine)."""
    params = rule.typed_params()
    if isinstance(params, ListedRepParams):
        inputs, sql = _listed_rep(params)
    elif isinstance(params, AddressClusterParams):
        inputs, sql = _address_cluster(params)
    elif isinstance(params, FrequentChangesParams):
        inputs, sql = _frequent_changes(params)
    elif isinstance(params, PenaltyAfterRegistrationParams):
        inputs, sql = _penalty_after_registration(params)
    elif isinstance(params, AbnormalWhileLicensedParams):
        inputs, sql = _abnormal_while_licensed(params)
    elif isinstance(params, PenaltyRateAnomalyParams):
        inputs, sql = _penalty_rate_anomaly(params)
    else:  # pragma: no cover - PARAMS covers every kind
        raise ValueError(rule.kind)
    return Job(
        name=f"warning_{rule.id}", title=rule.title, inputs=inputs, sql=sql, schema=SCHEMA, key=KEY
    )
