"""The checks warning rules can use, each as one DuckDB SQL query over the analytics snapshot.

Every check answers rows of the same shape: the subject warned about, a related subject and a
record as evidence (either may be NULL), a detail (what was shared or changed) and a value
(a count or a number of days). The queries use only portable SQL, so the analytics engine
runs them on DuckDB or, transpiled, on Spark with the same answers.
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
    Rule,
)

SCHEMA = pa.schema(
    [
        ("subject_id", pa.int64()),
        ("related_id", pa.int64()),
        ("record_id", pa.int64()),
        ("detail", pa.string()),
        ("value", pa.float64()),
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
               CAST(NULL AS DOUBLE) AS value
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
               CAST(b.n AS DOUBLE) AS value
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
               CAST(COUNT(*) AS DOUBLE) AS value
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
               CAST(DATE_DIFF('day', s.reg_date, r.event_date) AS DOUBLE) AS value
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
               CAST(DATE_DIFF('day', a.event_date, l.event_date) AS DOUBLE) AS value
        FROM records AS a
        JOIN records AS l ON l.subject_id = a.subject_id
        WHERE a.dataset IN ({_strings(p.lists)})
          AND l.dataset IN ({_strings(p.licences)})
          AND {_IN_FORCE.format(t="a")}
          AND l.event_date >= a.event_date
          AND l.event_date <= {{as_of}}
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
    else:  # pragma: no cover - PARAMS covers every kind
        raise ValueError(rule.kind)
    return Job(
        name=f"warning_{rule.id}", title=rule.title, inputs=inputs, sql=sql, schema=SCHEMA, key=KEY
    )
