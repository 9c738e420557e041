"""Joint reward and punishment (联合奖惩): list types, memoranda and measures, credit checks
(信用核查) and their log.

- :mod:`~gongxin.sanctions.scenes`: the business scenes a check is made in (data);
- :mod:`~gongxin.sanctions.lists`: list types and their entries, judged by the visibility gate;
- :mod:`~gongxin.sanctions.memoranda`: memoranda and measures, packaged and loaded;
- :mod:`~gongxin.sanctions.match`: reading a check item (a code or a name) and finding its subject;
- :mod:`~gongxin.sanctions.check`: the credit check of a few subjects (indexed lookups);
- :mod:`~gongxin.sanctions.snapshot`: the entries applying on a date, in DuckDB, cached;
- :mod:`~gongxin.sanctions.bulk`: the credit check of a file of codes (a DuckDB join);
- :mod:`~gongxin.sanctions.files`: ``gongxin check --file``: bulk check, result file, log;
- :mod:`~gongxin.sanctions.log`: the check log;
- :mod:`~gongxin.sanctions.writer`: group commit of the API's check log.
"""
