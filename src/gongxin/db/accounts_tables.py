"""Tables of accounts: back-office users and their server-side sessions.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them. The columns
these accounts add to ``departments`` (parent, region) and ``api_keys`` (scopes) are modelled
in gongxin.db.models, next to those tables.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import Json, Timestamp, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("password_hash", sa.String(255), nullable=False, comment="argon2id, PHC string"),
    sa.Column("roles", Json, nullable=False, comment="list of role names"),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_login_at", Timestamp, nullable=True),
    sa.Column("failed_logins", sa.Integer, nullable=False, comment="since the last success"),
    sa.Column("locked_until", Timestamp, nullable=True),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True, comment="SHA-256 of the cookie's token"),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_seen_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False, comment="absolute end"),
    sa.Column("ended_at", Timestamp, nullable=True, comment="logout"),
)
