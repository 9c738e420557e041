"""Bounds of the integer parameters of every route, so that no number is too large for the
store (a larger one raised OverflowError, or PostgreSQL's "integer out of range": a 500).
Most ids are BIGINT (64 bits); a few tables keep INTEGER ids (32 bits on PostgreSQL: the
departments' sharing requests, the credit agencies), whose routes take :data:`SmallIdPath`.

A value outside its bounds is answered 422 like any malformed parameter, naming it.
``tests/web/test_hostile_params.py`` fails when a route takes an unbounded integer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**63 - 1
"""The largest id either store can hold (BIGINT, SQLite INTEGER)."""
MAX_SMALL_ID = 2**31 - 1
"""The largest id of a table whose ids are INTEGER (PostgreSQL: 32 bits)."""
MAX_PAGE = 1_000_000
"""The highest page number a listing accepts (far beyond any real listing)."""
MAX_OFFSET = 10**12
"""The largest row offset a listing accepts."""

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号 (id)")]
SmallIdPath = Annotated[int, Path(ge=1, le=MAX_SMALL_ID, description="编号 (id)")]
"""The id of a row of a table with INTEGER ids (share_requests, credit_agencies)."""
AfterQuery = Annotated[int, Query(le=MAX_ID, description="上一页的 next_after (cursor)")]
"""The cursor of a keyset-paged listing: the ``next_after`` of the page before (0: the first)."""
