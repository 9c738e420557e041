"""Batch analytics: jobs defined once, run on DuckDB (the embedded default) or Apache Spark, over
a Parquet snapshot of the operational store (``snapshot``). ``engines`` is the seam, ``jobs``
the definitions and how a run turns one into answers."""
