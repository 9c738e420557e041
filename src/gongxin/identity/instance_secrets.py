"""Secrets of this installation that no operator needs to choose: made at first use, kept in
the database (``instance_secrets``), so every server process of the installation shares them.

A setting, when given, wins (``GONGXIN_EXCHANGE_CURSOR_SECRET`` for the change-feed cursors);
rotate a stored secret by deleting its row: a new one is made at the next use.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.security_tables import instance_secrets

CURSOR = "changefeed_cursor"


def resolve(
    conn: sa.Connection, name: str, configured: str | None = None, *, now: datetime
) -> bytes:
    """The secret ``name``: ``configured`` when given, else the stored one (made now if none)."""
    if configured:
        return configured.encode()
    found = _stored(conn, name)
    if found is None:
        made = {"value": secrets.token_urlsafe(48), "created_at": now}
        dialect.insert_if_absent(conn, instance_secrets, {"name": name}, made)
        found = _stored(conn, name)
        assert found is not None  # inserted now, or by a concurrent first use
    return found.encode()


def _stored(conn: sa.Connection, name: str) -> str | None:
    value: str | None = conn.execute(
        sa.select(instance_secrets.c.value).where(instance_secrets.c.name == name)
    ).scalar_one_or_none()
    return value
