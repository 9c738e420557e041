"""The bulk credit check as a batch job: one SQL definition, answered by DuckDB or Spark.

``bulk`` turns the file and the store into five tables (temporary tables of the snapshot's
DuckDB, or Parquet files for Spark); this job joins them as sets and builds every result with
its explanation, the same text as the single check's:

- ``queries`` (position, query, match, confidence, key, subject_code, subject_name, error,
  error_message): one row per item of the file; ``key`` the code it answers to (NULL for an
  error or an unresolved name);
- ``keys`` (key, via, entry) and ``entries`` (entry, list_type, list_name, subject_name,
  listed_text, json): the entries that apply on the day (``sanctions.snapshot``);
- ``measures`` (seq, list_type, id, kind, text, json): what the memoranda attach in the scene;
- ``grades`` (subject_code, sentence): the registered subjects' current grades, as the sentence
  the single check adds to its explanation.

The hits are described once per listed code, not per item of the file: the entries each key of
the snapshot answers to, their lists, explanation and measures, then one join of the file's
items on their code (like a bare hash join). Only an item whose embedded organisation code
answers to more entries gets its own description. A code with one entry (most) takes its
entry's values as they are; only codes with several are aggregated (ordered aggregates cost
per group).

The SQL is DuckDB's; Spark gets it transpiled by SQLGlot (``engines.spark_sql``). It uses only
what both answer alike: ordered ``string_agg`` (Spark's ``LISTAGG … WITHIN GROUP``; distinct
values as a sorted list, since Spark cannot take two ``DISTINCT`` ones in a group), ``CASE``
inside aggregates instead of ``FILTER``, explicit casts before concatenation. The contract test
runs it on both and compares the results row by row.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from gongxin.analytics.jobs import Job
from gongxin.sanctions import scenes
from gongxin.sanctions.match import MATCH_NAMES

INPUTS = ("queries", "keys", "entries", "measures", "grades")
OUT_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("query", pa.string()),
        ("match", pa.string()),
        ("confidence", pa.float64()),
        ("subject_code", pa.string()),
        ("subject_name", pa.string()),
        ("lists", pa.string()),
        ("measures", pa.string()),
        ("rewards", pa.string()),
        ("explanation", pa.string()),
        ("error", pa.string()),
        ("hits_json", pa.string()),
        ("measures_json", pa.string()),
    ]
)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_job(scene: scenes.Scene, as_of: date) -> Job:
    """The check of every item of ``queries`` in ``scene`` on ``as_of``."""
    day = as_of.isoformat()
    tail = f"未列入联合奖惩名单，在“{scene.name}”场景无须采取惩戒或激励措施。"
    clear = " ".join(
        f"WHEN {_q(k)} THEN {_q(f'（按{v[0]}匹配）截至 {day} {tail}')}"
        for k, v in MATCH_NAMES.items()
    )
    how = " ".join(
        f"WHEN {_q(k)} THEN {_q(f'（按{v[0]}匹配）截至 {day} 列入')}"
        for k, v in MATCH_NAMES.items()
    )
    sql = f"""
        WITH kh AS (SELECT DISTINCT key AS hk, entry FROM keys WHERE via = 'code'),
        oh AS (
            SELECT q.position AS pos, q.key, k.entry
            FROM queries AS q
            JOIN keys AS k ON k.key = substr(q.key, 9, 9) AND k.via = 'org_in_uscc'
            WHERE length(q.key) = 18
        ),
        h AS (
            SELECT hk, CAST(-1 AS BIGINT) AS pos, entry FROM kh
            UNION ALL
            SELECT DISTINCT hk, pos, entry FROM (
                SELECT key AS hk, pos, entry FROM oh
                UNION ALL
                SELECT o.key AS hk, o.pos, kh.entry
                FROM (SELECT DISTINCT key, pos FROM oh) AS o JOIN kh ON kh.hk = o.key
            ) AS u
        ),
        hn AS (SELECT hk, pos, COUNT(*) AS n, MIN(entry) AS entry FROM h GROUP BY hk, pos),
        he AS (
            SELECT h.hk, h.pos, e.entry, e.list_type, e.list_name, e.subject_name,
                   e.listed_text, e.json
            FROM h JOIN hn ON hn.hk = h.hk AND hn.pos = h.pos AND hn.n > 1
            JOIN entries AS e ON e.entry = h.entry
        ),
        hx AS (
            SELECT hn.hk, hn.pos, hn.n, e.list_name AS lists, e.listed_text,
                   CASE WHEN e.subject_name IS NOT NULL THEN e.entry END AS named_entry,
                   '[' || e.json || ']' AS hits_json, e.list_type AS combo
            FROM hn JOIN entries AS e ON e.entry = hn.entry
            WHERE hn.n = 1
            UNION ALL
            SELECT hk, pos, COUNT(*) AS n,
                   array_to_string(list_sort(list_distinct(list(list_name))), '；') AS lists,
                   string_agg(listed_text, '、' ORDER BY entry) AS listed_text,
                   MIN(CASE WHEN subject_name IS NOT NULL THEN entry END) AS named_entry,
                   '[' || string_agg(json, ',' ORDER BY entry) || ']' AS hits_json,
                   array_to_string(list_sort(list_distinct(list(list_type))), ',') AS combo
            FROM he GROUP BY hk, pos
        ),
        cl AS (
            SELECT DISTINCT combo, combo AS list_type FROM hx WHERE n = 1
            UNION
            SELECT DISTINCT hx.combo, he.list_type
            FROM hx JOIN he ON he.hk = hx.hk AND he.pos = hx.pos
        ),
        cm AS (
            SELECT cl.combo, MIN(m.seq) AS seq, m.id, m.kind, m.text, m.json
            FROM cl JOIN measures AS m ON m.list_type = cl.list_type
            GROUP BY cl.combo, m.id, m.kind, m.text, m.json
        ),
        mx AS (
            SELECT combo,
                   string_agg(CASE WHEN kind = 'punish' THEN text END, '；' ORDER BY seq)
                       AS measures,
                   string_agg(CASE WHEN kind = 'reward' THEN text END, '；' ORDER BY seq)
                       AS rewards,
                   COUNT(CASE WHEN kind = 'punish' THEN 1 END) AS np,
                   COUNT(CASE WHEN kind = 'reward' THEN 1 END) AS nr,
                   '[' || string_agg(json, ',' ORDER BY seq) || ']' AS measures_json
            FROM cm GROUP BY combo
        ),
        hm AS (
            SELECT hx.hk, hx.pos, hx.lists, hx.listed_text, en.subject_name AS entry_subject,
                   hx.hits_json, mx.measures, mx.rewards, coalesce(mx.np, 0) AS np,
                   coalesce(mx.nr, 0) AS nr, coalesce(mx.measures_json, '[]') AS measures_json
            FROM hx
            LEFT JOIN entries AS en ON en.entry = hx.named_entry
            LEFT JOIN mx ON mx.combo = hx.combo
        ),
        qp AS (
            SELECT q.*, coalesce(p.pos, CAST(-1 AS BIGINT)) AS hpos
            FROM queries AS q LEFT JOIN (SELECT DISTINCT pos FROM oh) AS p ON p.pos = q.position
        )
        SELECT q.position, q.query, q.match, CAST(q.confidence AS DOUBLE) AS confidence,
               q.subject_code,
               CASE WHEN q.error IS NULL THEN coalesce(q.subject_name, x.entry_subject) END
                   AS subject_name,
               x.lists, x.measures, x.rewards,
               CASE
                 WHEN q.error IS NOT NULL THEN q.error_message
                 WHEN x.hk IS NULL
                 THEN coalesce(q.subject_name, q.subject_code, q.query)
                      || CASE q.match {clear} END || coalesce(g.sentence, '')
                 ELSE coalesce(q.subject_name, x.entry_subject, q.subject_code, q.query)
                      || CASE q.match {how} END || x.listed_text
                      || {_q(f"；在“{scene.name}”场景")}
                      || CASE WHEN x.np > 0 AND x.nr > 0
                              THEN '应采取 ' || CAST(x.np AS VARCHAR) || ' 项惩戒措施，可给予 '
                                   || CAST(x.nr AS VARCHAR) || ' 项激励措施'
                              WHEN x.np > 0
                              THEN '应采取 ' || CAST(x.np AS VARCHAR) || ' 项惩戒措施'
                              WHEN x.nr > 0
                              THEN '可给予 ' || CAST(x.nr AS VARCHAR) || ' 项激励措施'
                              ELSE '无备忘录规定的措施' END || '。' || coalesce(g.sentence, '')
               END AS explanation,
               q.error, x.hits_json, x.measures_json
        FROM qp AS q
        LEFT JOIN hm AS x ON x.hk = q.key AND x.pos = q.hpos
        LEFT JOIN grades AS g ON g.subject_code = q.subject_code AND q.error IS NULL
    """  # values are quoted by _q or are constants
    return Job(
        name="sanctions.check",
        title=f"信用核查（{scene.name}，截至 {day}）：名单命中、措施与说明",
        inputs=INPUTS,
        sql=sql,
        schema=OUT_SCHEMA,
        key=("position",),
    )
