"""users, roles and sessions; departments' parent and region; API keys' scopes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ALL_SCOPES = ["submit", "check", "exchange", "commitment"]


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    stamp = sa.DateTime(timezone=True)
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True, comment="上级部门"))
        batch.add_column(
            sa.Column("region", sa.String(100), nullable=True, comment="行政区划代码或名称")
        )
        batch.create_foreign_key(
            op.f("fk_departments_parent_id_departments"), "departments", ["parent_id"], ["id"]
        )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column(
                "scopes", json, nullable=True, comment="list of scope names (submit, check, ...)"
            )
        )
    keys = sa.table("api_keys", sa.column("scopes", json))
    op.execute(keys.update().values(scopes=ALL_SCOPES))  # keys made before scopes keep working
    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column(
            "scopes",
            existing_type=json,
            nullable=False,
            existing_comment="list of scope names (submit, check, ...)",
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False, comment="argon2id, PHC string"),
        sa.Column("roles", json, nullable=False, comment="list of role names"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("last_login_at", stamp, nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False, comment="since the last success"),
        sa.Column("locked_until", stamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_users_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_department_id"), "users", ["department_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), nullable=False, comment="SHA-256 of the cookie's token"),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("last_seen_at", stamp, nullable=False),
        sa.Column("expires_at", stamp, nullable=False, comment="absolute end"),
        sa.Column("ended_at", stamp, nullable=True, comment="logout"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_table("users")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("scopes")
    with op.batch_alter_table("departments") as batch:
        batch.drop_constraint(op.f("fk_departments_parent_id_departments"), type_="foreignkey")
        batch.drop_column("region")
        batch.drop_column("parent_id")
