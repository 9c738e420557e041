"""The purpose (用途) a department gives for a read of shared data: the ``purpose`` query
parameter, or else the ``X-Purpose`` header, URL-encoded (a header carries no Chinese as is).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import Header, Query

PurposeQuery = Annotated[str | None, Query(description="用途 (purpose of this read)")]
XPurpose = Annotated[str | None, Header(alias="X-Purpose", description="用途 (URL-encoded UTF-8)")]


def purpose_of(query: str | None, header: str | None) -> str | None:
    """The query parameter's purpose, else the header's decoded; None when neither is given."""
    return query or (unquote(header) if header else None)
