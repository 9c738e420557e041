"""Scoring pairs (waiting record, subject) with the Splink model, on DuckDB or on Spark.

Both sides arrive as rows in the model's columns (``COLUMNS``); this module adds the blocking
keys of each name and hands both tables to Splink. The model is written once, in DuckDB's SQL;
on Spark its conditions are transpiled (SQLGlot) and Splink's similarity functions come from
the jar Splink ships, added to the session.

Blocking keys (``name_keys``): the name, the name without a branch suffix, its core (without
the legal form either) and, when the core is long enough, every form of the core with one
character left out. Two names one typo apart (a character dropped, doubled or changed) share
a key, so a typo anywhere is found with a bounded number of comparisons per record — unlike
prefix blocks, which put every "北京市朝阳区…" in one block.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from gongxin.supervision.model import COLUMNS, LinkageModel

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

KEYS = "name_keys"
# Branch suffixes a department writes after the registered name (compared without them).
BRANCHES = ("北京分公司", "分公司", "第一分店", "分店", "营业部", "分部")
# The characters of the legal forms at the end of a name (股份有限公司, 有限责任公司, 公司):
# stripping them all also strips a legal form with a typo in it ("限责任公司", "有限公").
LEGAL_FORM_CHARS = "股份有限责任公司"
# Cores shorter than this get no one-character-less forms: those of a short core ("华夏科" →
# "华夏") are shared by too many names to bound a block.
MIN_KEYED_LENGTH = 4
_SCHEMA = pa.schema(
    [("unique_id", pa.int64()), *((c, pa.string()) for c in COLUMNS), (KEYS, pa.list_(pa.string()))]
)
# Traditional characters common in company names, compared in their simplified form.
_SIMPLIFIED = str.maketrans(
    "貿電發業東華國門廣興體務術經營銷設計網絡軟資產農藥醫療車運輸實",
    "贸电发业东华国门广兴体务术经营销设计网络软资产农药医疗车运输实",
)


def to_simplified(name: str) -> str:
    """The name with the common traditional characters of company names simplified."""
    return name.translate(_SIMPLIFIED)


def name_keys(name: str | None) -> list[str]:
    """The blocking keys of a normalised name (see the module text).

    >>> name_keys("北京华夏科技有限公司分公司")[1:5]
    ['北京华夏科技有限公司', '北京华夏科技', '京华夏科技', '北华夏科技']
    >>> name_keys("某某公司")
    ['某某公司', '某某']
    """
    if not name:
        return []
    stem = next((name[: -len(b)] for b in BRANCHES if name.endswith(b) and name != b), name)
    core = stem.rstrip(LEGAL_FORM_CHARS)
    if len(core) < 2:
        core = stem
    keys = [name, stem, core]
    if len(core) >= MIN_KEYED_LENGTH:
        keys += [core[:i] + core[i + 1 :] for i in range(len(core))]
    return list(dict.fromkeys(keys))


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as an Arrow table with their blocking keys, built column by column."""
    columns = [pa.array([r["unique_id"] for r in rows], pa.int64())]
    columns += [pa.array([r.get(c) for r in rows], pa.string()) for c in COLUMNS]
    columns.append(
        pa.array([name_keys(r.get("name_norm")) for r in rows], _SCHEMA.field(KEYS).type)
    )
    return pa.Table.from_arrays(columns, schema=_SCHEMA)


def score(
    model: LinkageModel,
    waiting: list[dict[str, Any]],
    candidates: list[dict[str, Any]],
    *,
    spark: SparkSession | None = None,
) -> list[dict[str, Any]]:
    """Scored pairs (record, subject) at or above the review threshold: Splink on DuckDB, or on
    Spark when a session is given."""
    if not waiting or not candidates:
        return []
    from splink import DuckDBAPI, Linker  # heavy: imported when linkage runs

    db: Any
    if spark is None:
        db = DuckDBAPI()
        settings = model.splink_settings()
    else:
        db = spark_api(spark)
        settings = model.splink_settings(dialect="spark")
    try:
        left = db.register(_table(waiting), table_name="waiting")
        right = db.register(_table(candidates), table_name="subjects")
        linker = Linker([left, right], settings, log_level=logging.WARNING)
        pairs = linker.inference.predict(
            threshold_match_probability=model.thresholds.review, warning_mode="never"
        )
        try:
            return _records(model, pairs, on_spark=spark is not None)
        finally:
            pairs.drop_table_from_database_and_remove_from_cache()
    finally:
        # the session outlives the run (the analytics jobs drop their views too): whatever
        # happened, leave no input views behind for the next registration to trip on
        if spark is not None:
            for view in ("waiting", "subjects"):
                spark.catalog.dropTempView(view)


def _records(model: LinkageModel, pairs: Any, *, on_spark: bool) -> list[dict[str, Any]]:
    """Splink's predicted pairs as dicts, the waiting record on the left."""
    if not on_spark:
        return [_oriented(dict(p)) for p in pairs.as_record_list()]
    columns = ["unique_id_l", "unique_id_r", "source_dataset_l", "match_weight"]
    columns += ["match_probability"]
    for c in model.comparisons:
        columns += [f"{c.column}_l", f"{c.column}_r", f"gamma_{c.column}", f"mw_{c.column}"]
    frame = pairs.as_spark_dataframe().select(*columns)
    return [_oriented(r.asDict()) for r in frame.collect()]


def comparisons(
    model: LinkageModel, waiting: list[dict[str, Any]], candidates: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    """How many pairs each blocking rule adds (exact counts, on DuckDB): the work ``score``
    does is one comparison per pair."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    db = DuckDBAPI()
    left = db.register(_table(waiting), table_name="waiting")
    right = db.register(_table(candidates), table_name="subjects")
    rules = model.splink_settings()["blocking_rules_to_generate_predictions"]
    counts = count_comparisons_from_blocking_rules(
        [left, right], blocking_rules=rules, link_type="link_only", record_sample_proportion=1.0
    )
    return [(r["blocking_rule"], int(r["marginal_comparison_count"])) for r in counts]


def spark_api(spark: SparkSession) -> Any:
    """Splink's Spark database API on ``spark``, with Splink's similarity functions added."""
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    spark.sql(f"ADD JAR '{similarity_jar_location()}'")
    # intermediate tables kept in memory: no checkpoint folder to set up or clean
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark, break_lineage_method="persist", num_partitions_on_repartition=4
    )


def _oriented(pair: dict[str, Any]) -> dict[str, Any]:
    """The pair with the waiting record on the left (Splink orders sides by table name)."""
    if pair.get("source_dataset_l") == "waiting":
        return pair
    out = dict(pair)
    for key, value in pair.items():
        if key.endswith("_l"):
            out[key[:-2] + "_r"] = value
        elif key.endswith("_r"):
            out[key[:-2] + "_l"] = value
    return out
