"""A change's JSON as the change feed sends it, made in SQL from its ``change_log`` row.

An insert or an update is sent as
``"op":"insert","record_id":7,"version":1,"at":"2026-11-22T02:00:00+00:00","data":{…},``
``"reason":null,"ends_on":null,"mark":null}`` (the feed puts ``{"seq":N,`` in front), the
version's data embedded as the text the row already holds (``payload``). Migration 0033 stored
that text beside the payload (``body``) for every change; from migration 0035 only an
``expire`` keeps a stored body (its reason and day come from the expiry job), and the feed
makes the others in its read with :func:`sql` — string concatenation over the row's columns,
no JSON parsed — so each record's data is written once to the change log, not twice. The bytes
are those the triggers of 0033 wrote (tests/exchange/test_feed_bodies.py).

A version carrying a workflow's status (``_gx_status``: 异议处理中 …) gets no JSON here: the
gate shows its mark and drops the internal keys, so the feed makes it from the columns.
"""

from __future__ import annotations

STATUS = "_gx_status"
# the instant as Python's ``datetime.isoformat`` writes it in UTC (SQLite stores naive UTC text
# ``YYYY-MM-DD HH:MM:SS[.ffffff]``; the feed has always sent it with ``T`` and an offset)
_SQLITE_AT = "replace({at}, ' ', 'T') || '+00:00'"
_PG_AT = (
    "to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "mod(extract(microseconds FROM {at})::bigint, 1000000) = 0 THEN '' "
    "ELSE to_char({at} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


def sql(postgres: bool, table: str = "c") -> str:
    """The SQL expression of the JSON of ``table``'s change (a ``change_log`` row): its stored
    body, else the one made for an insert or an update; null when the feed must make it from
    the columns (a workflow's status, a repair, an expiry without its reason)."""
    data, at = f"{table}.payload", f"{table}.at"
    unmarked = f"strpos({data}, '{STATUS}') = 0" if postgres else f"instr({data}, '{STATUS}') = 0"
    stamp = (_PG_AT if postgres else _SQLITE_AT).format(at=at)
    made = (
        f"""'"op":"' || {table}.op || '","record_id":' || {table}.record_id """
        f"""|| ',"version":' || {table}.version || ',"at":"' || {stamp} || '","data":' """
        f"""|| {data} || ',"reason":null,"ends_on":null,"mark":null}}'"""
    )
    return (
        f"COALESCE({table}.body, CASE WHEN {table}.op IN ('insert', 'update') "
        f"AND {unmarked} THEN {made} END)"
    )
