"""Tables of the platform's own protections: login throttling per account and source address,
credit-check usage per key and day, and the instance's generated secrets.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import Timestamp, metadata

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True, comment="as typed, known or not"),
    sa.Column("address", sa.String(64), primary_key=True, comment="client address"),
    sa.Column("failures", sa.Integer, nullable=False, comment="in a row, from this address"),
    sa.Column("last_failed_at", Timestamp, nullable=False, index=True),
    sa.Column("locked_until", Timestamp, nullable=True),
)

check_usage = sa.Table(
    "check_usage",
    metadata,
    sa.Column("key_id", sa.ForeignKey("api_keys.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True, comment="China calendar day"),
    sa.Column("subjects", sa.BigInteger, nullable=False, comment="subjects checked that day"),
)

instance_secrets = sa.Table(
    "instance_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False, comment="random, made at first use"),
    sa.Column("created_at", Timestamp, nullable=False),
)
