"""The linkage model gives the same links on Spark as on DuckDB (the same automatic links and
review decisions for perturbed real names), and its blocking keys bring typos together. The
Spark session is the test run's one (the ``spark`` fixture of ``tests/support/fixtures.py``),
so it is started once. The store code is the same whichever engine scores
(``link_waiting`` on DuckDB is tested on SQLite and PostgreSQL in ``test_linkage.py``)."""

from __future__ import annotations

import csv
from pathlib import Path

from gongxin.analytics.engines import SparkEngine
from gongxin.supervision.evaluation import REVIEW, decide, queries
from gongxin.supervision.model import load_model
from gongxin.supervision.scoring import name_keys


def test_spark_and_duckdb_decide_alike(real_data: Path, spark: SparkEngine) -> None:
    path = real_data / "registrations" / "2002_北京.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:401]
    subjects = [(i, row[0]) for i, row in enumerate(rows, start=1) if row[0]]
    asked = queries(subjects, 60, seed=11)
    model = load_model()
    on_duckdb = decide(model, subjects, asked)
    on_spark = decide(model, subjects, asked, spark=spark.session)
    assert on_spark == on_duckdb
    # the answers are links, mostly right: not an empty agreement
    right = sum(1 for q, d in zip(asked, on_spark, strict=True) if d == q.truth)
    assert right >= 55, (right, on_spark.count(REVIEW))


def test_a_typo_anywhere_shares_a_blocking_key() -> None:
    name = "北京远山电子科技有限公司"
    for typo in ("北京远电子科技有限公司", "北京远山山电子科技有限公司", "北京远山电子科技有限公"):
        assert set(name_keys(name)) & set(name_keys(typo)), typo
    assert not set(name_keys(name)) & set(name_keys("北京近水电子科技有限公司"))
