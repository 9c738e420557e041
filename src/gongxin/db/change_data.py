"""A change's data as SQL reads it from its ``change_log`` row: each version's data is kept once.

A change carries its version's data (JSON text) and, when the feed can send it as it is, its
JSON as the feed sends it (``body``, migration 0033), which embeds that data whole:
``"op":"insert","record_id":7,"version":1,"at":"…","data":{…},"reason":null,"ends_on":null,``
``"mark":null}``. Migration 0035 keeps the data once: an insert's or an update's ``payload`` is
null when its body holds the data, and :func:`sql` cuts it out of the body, as text, with no
JSON parsed (the feed's stored path reads the body as before). A version carrying a workflow's
status (``_gx_status``) has no body and keeps its payload; an ``expire`` keeps both (its body
ends with the expiry's reason and day).
"""

from __future__ import annotations

DATA_KEY = '"data":'
# what an insert's or an update's body holds after its data (migration 0033's triggers)
TAIL = ',"reason":null,"ends_on":null,"mark":null}'


def sql(postgres: bool, table: str = "c") -> str:
    """The SQL expression of the data of ``table``'s change (a ``change_log`` row), as text:
    its payload, else the data its body embeds."""
    body = f"{table}.body"
    find = "strpos" if postgres else "instr"
    at = f"{find}({body}, '{DATA_KEY}')"
    start = f"{at} + {len(DATA_KEY)}"
    size = f"length({body}) - {at} - {len(DATA_KEY) - 1} - {len(TAIL)}"
    return f"COALESCE({table}.payload, substr({body}, {start}, {size}))"
