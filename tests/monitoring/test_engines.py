"""The monitoring jobs are defined once and answered alike by DuckDB and Spark: the same rows,
in the same order, for every figure (the hand cohort and a small demo)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.analytics import snapshot
from gongxin.analytics.engines import DuckDBEngine, SparkEngine
from gongxin.catalog.registry import load_catalog
from gongxin.monitoring import inputs, rules, service
from tests.demo.helpers import AS_OF, AS_OF_DATE
from tests.monitoring.conftest import HAND_AS_OF

pytestmark = pytest.mark.slow


def _tables(store: sa.Engine, folder: Path) -> dict[str, Path]:
    taken = snapshot.take(store, folder / "snapshot", tables=("subjects", "records"), now=AS_OF)
    with store.connect() as conn:
        extra = inputs.take(conn, folder / "inputs", as_of=AS_OF_DATE, go_live=None)
    return {**taken.tables, **extra}


def test_duckdb_and_spark_give_the_same_figures(
    hand_store: sa.Engine, tmp_path: Path, spark: SparkEngine
) -> None:
    catalog, ruleset = load_catalog(), rules.load()
    fields = service.catalog_fields(catalog)
    tables = _tables(hand_store, tmp_path)
    duck = service.compute(ruleset, tables, DuckDBEngine(), HAND_AS_OF, fields)
    other = service.compute(ruleset, tables, spark, HAND_AS_OF, fields)
    for name, answer in duck.items():
        assert answer.num_rows > 0, name
        assert other[name].to_pylist() == answer.to_pylist(), name


def test_duckdb_and_spark_agree_on_the_demo(
    request: pytest.FixtureRequest, tmp_path: Path, spark: SparkEngine, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the engines read the same snapshot whatever the store: once is enough")
    demo_store: sa.Engine = request.getfixturevalue("demo_store")
    catalog, ruleset = load_catalog(), rules.load()
    fields = service.catalog_fields(catalog)
    tables = _tables(demo_store, tmp_path)
    duck = service.compute(ruleset, tables, DuckDBEngine(), AS_OF_DATE, fields)
    other = service.compute(ruleset, tables, spark, AS_OF_DATE, fields)
    for name, answer in duck.items():
        assert answer.num_rows > 0, name
        assert other[name].to_pylist() == answer.to_pylist(), name
