"""Bounds of the integer parameters of every route, so that no number is too large for the
store (SQLite and PostgreSQL integers are 64-bit: a larger one raised OverflowError, a 500).

A value outside its bounds is answered 422 like any malformed parameter, naming it.
``tests/web/test_hostile_params.py`` fails when a route takes an unbounded integer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**63 - 1
"""The largest id either store can hold (BIGINT, SQLite INTEGER)."""
MAX_PAGE = 1_000_000
"""The highest page number a listing accepts (far beyond any real listing)."""
MAX_OFFSET = 10**12
"""The largest row offset a listing accepts."""

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号 (id)")]
AfterQuery = Annotated[int, Query(le=MAX_ID, description="上一页的 next_after (cursor)")]
"""The cursor of a keyset-paged listing: the ``next_after`` of the page before (0: the first)."""
