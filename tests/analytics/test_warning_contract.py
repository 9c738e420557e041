"""Both engines give the same warnings: every warning rule's check answers the same rows on
DuckDB and on Spark over the demo's snapshot, and the demo's planted structure fires rules."""

from __future__ import annotations

import pytest

from gongxin.analytics import jobs, snapshot
from gongxin.analytics.engines import DuckDBEngine, SparkEngine
from gongxin.catalog.registry import load_catalog
from gongxin.supervision import kinds
from gongxin.supervision.rules import load_rules
from tests.demo.helpers import AS_OF_DATE

pytestmark = pytest.mark.slow


def test_every_rule_answers_the_same_on_duckdb_and_spark(
    taken: snapshot.Snapshot, spark: SparkEngine
) -> None:
    fired: dict[str, int] = {}
    for rule in load_rules(load_catalog()).rules:
        job = kinds.job(rule)
        on_duckdb = jobs.run(job, taken, DuckDBEngine(), AS_OF_DATE)
        on_spark = jobs.run(job, taken, spark, AS_OF_DATE)
        assert on_duckdb.schema == on_spark.schema == kinds.SCHEMA
        assert on_duckdb.to_pylist() == on_spark.to_pylist(), rule.id
        fired[rule.id] = on_duckdb.num_rows
    # the demo plants an address cluster, shell groups with frequent changes and a district
    # whose clothing firms are penalised far more than clothing firms elsewhere
    assert fired["address_cluster"] >= 6 and fired["frequent_changes"] >= 4
    assert fired["penalty_rate_anomaly"] >= 3
