"""Tables of open data: open-data keys and their daily usage.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import Timestamp, metadata

opendata_keys = sa.Table(
    "opendata_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True, comment="shown, for lookup"),
    sa.Column("key_hash", sa.String(64), nullable=False, comment="SHA-256 of the whole key"),
    sa.Column("holder", sa.String(200), nullable=False, comment="使用者: who the key is for"),
    sa.Column("quota_per_day", sa.Integer, nullable=False, comment="requests per China day"),
    sa.Column("rate_per_minute", sa.Integer, nullable=False, comment="requests per minute"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=True),
    sa.Column("revoked_at", Timestamp, nullable=True),
)

opendata_usage = sa.Table(
    "opendata_usage",
    metadata,
    sa.Column("key_id", sa.ForeignKey("opendata_keys.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True, comment="China calendar day"),
    sa.Column("requests", sa.Integer, nullable=False),
)
