"""The engine seam: the same SQL answered by DuckDB (default) or Apache Spark.

A job is written once, in DuckDB's SQL; Spark gets it transpiled by SQLGlot. Both engines read
the snapshot's Parquet files as named tables and return an Arrow table. DuckDB and pyspark are
imported only when an engine is made, and a missing pyspark or Java is reported at once with
what to install, never as a stack trace halfway through a run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import pyarrow as pa

from gongxin.errors import GongxinError

ENGINES = ("duckdb", "spark")
MEMORY_LIMIT = "1GB"  # DuckDB's bound per query: beyond it, it spills to disk (flat memory)
ROW_GROUP = 100_000  # rows per Parquet row group written by an export: bounds readers' memory


class EngineUnavailable(GongxinError):
    """The engine asked for cannot run here; the message says what to install."""

    status = 503
    code = "engine_unavailable"


class Engine(Protocol):
    name: str

    def query(self, sql: str, tables: Mapping[str, Path]) -> pa.Table:
        """Run ``sql`` (DuckDB dialect) over ``tables`` (name → Parquet file or folder)."""
        ...

    def export(self, sql: str, tables: Mapping[str, Path], folder: Path) -> None:
        """Write the answer of ``sql`` as Parquet files into ``folder`` (``*.parquet``),
        streamed by the engine: nothing is held in this process however large it is."""
        ...

    def close(self) -> None: ...


def parquet_files(folder: Path) -> str:
    """The glob of an exported answer's files, for ``read_parquet``."""
    return str(folder / "*.parquet")


def sql_literal(text: str | Path) -> str:
    """``text`` as a single-quoted SQL string literal (DuckDB and Spark SQL alike)."""
    return "'" + str(text).replace("'", "''") + "'"


def _name(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"not a table name: {name!r}")
    return name


class DuckDBEngine:
    """An in-process DuckDB database per query: views over the Parquet files, then the SQL.
    ``memory_limit`` (default MEMORY_LIMIT) bounds what a query holds: larger sorts, joins and
    aggregations spill to temporary files, so memory does not grow with the records."""

    name = "duckdb"

    def __init__(
        self, *, threads: int | None = None, memory_limit: str | None = MEMORY_LIMIT
    ) -> None:
        try:
            import duckdb  # noqa: F401  (checked here, used per query)
        except ImportError as exc:  # pragma: no cover - duckdb is a dependency
            raise EngineUnavailable(
                "未安装 DuckDB：请安装 duckdb", "DuckDB is not installed: pip install duckdb"
            ) from exc
        self.threads, self.memory_limit = threads, memory_limit

    def _connect(self, tables: Mapping[str, Path]) -> Any:
        import duckdb

        con = duckdb.connect(config=self._config())
        con.execute("SET enable_progress_bar = false")
        for name, path in tables.items():
            source = sql_literal(path / "*.parquet" if path.is_dir() else path)
            con.execute(f"CREATE VIEW {_name(name)} AS SELECT * FROM read_parquet({source})")
        return con

    def query(self, sql: str, tables: Mapping[str, Path]) -> pa.Table:
        con = self._connect(tables)
        try:
            result: pa.Table = con.sql(sql).to_arrow_table()
            return result
        finally:
            con.close()

    def export(self, sql: str, tables: Mapping[str, Path], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        con = self._connect(tables)
        try:
            target = sql_literal(folder / "part-0.parquet")
            con.execute(
                f"COPY ({sql}) TO {target} (FORMAT parquet, COMPRESSION zstd, "
                f"ROW_GROUP_SIZE {ROW_GROUP})"
            )
        finally:
            con.close()

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.threads:
            config["threads"] = self.threads
        if self.memory_limit:
            config["memory_limit"] = self.memory_limit
            # spill files beside the snapshots, never in the working directory
            config["temp_directory"] = str(Path(tempfile.gettempdir()) / "gongxin-duckdb")
        return config

    def close(self) -> None:
        return None


def spark_sql(sql: str) -> str:
    """The job's DuckDB SQL in Spark's dialect (SQLGlot)."""
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


class SparkEngine:
    """Apache Spark through pyspark: ``local[*]`` on one machine, ``spark://host:7077`` for a
    cluster. One session per engine; close it when done (or use the engine as a context)."""

    name = "spark"

    def __init__(self, master: str = "local[*]", *, partitions: int = 8) -> None:
        if _java() is None:
            raise EngineUnavailable(
                "Spark 需要 Java 17 或更新版本：请安装（Debian：apt-get install "
                "openjdk-17-jre-headless）或设置 JAVA_HOME",
                "Spark needs Java 17+: apt-get install openjdk-17-jre-headless, or set JAVA_HOME",
            )
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineUnavailable(
                "未安装 pyspark：请安装（pip install pyspark）",
                "pyspark is not installed: pip install pyspark",
            ) from exc
        self.master = master
        local = master.startswith("local")
        if local:  # a local run listens on the loopback interface only
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            SparkSession.builder.master(master)
            .appName("gongxin")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        )
        if local:
            builder = builder.config("spark.driver.host", "127.0.0.1").config(
                "spark.driver.bindAddress", "127.0.0.1"
            )
        self.session = builder.getOrCreate()

    @contextmanager
    def _frame(self, sql: str, tables: Mapping[str, Path]) -> Iterator[Any]:
        """The answer of ``sql`` over views of ``tables``, dropped when done: the session may
        be shared (linkage registers its own ``subjects``), so no input is left behind."""
        try:
            for name, path in tables.items():
                self.session.read.parquet(str(path)).createOrReplaceTempView(_name(name))
            yield self.session.sql(spark_sql(sql))
        finally:
            for name in tables:
                self.session.catalog.dropTempView(name)

    def query(self, sql: str, tables: Mapping[str, Path]) -> pa.Table:
        with self._frame(sql, tables) as frame:
            result: pa.Table = frame.toArrow()
        return result

    def export(self, sql: str, tables: Mapping[str, Path], folder: Path) -> None:
        with self._frame(sql, tables) as frame:
            frame.write.mode("overwrite").parquet(str(folder))

    def close(self) -> None:
        self.session.stop()

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def make(name: str, *, master: str = "local[*]") -> Engine:
    """The engine called ``name`` (``duckdb`` or ``spark``)."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(master)
    raise EngineUnavailable(
        f"未知的计算引擎“{name}”，可选：{'、'.join(ENGINES)}",
        f"unknown engine {name!r}; choose {', '.join(ENGINES)}",
    )
