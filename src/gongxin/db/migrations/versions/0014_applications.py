"""objections and credit repair: applications, their attachments, the e-mail outbox

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "applications",
        sa.Column("id", big_id, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False, comment="objection | repair"),
        sa.Column("number", sa.String(24), nullable=False, comment="受理编号, shown"),
        sa.Column("code_hash", sa.String(64), nullable=False, comment="SHA-256 of 查询码"),
        sa.Column("record_id", big_id, nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False),
        sa.Column("subject_code", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("checklist", json, nullable=False, comment="conditions checked at filing"),
        sa.Column("jurisdiction", sa.String(40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False, comment="last working day to decide"),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(12), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reminded_on", sa.Date(), nullable=True, comment="deadline-near e-mail sent"),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_applications_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_applications_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("number", name=op.f("uq_applications_number")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_applications_code_hash")),
    )
    op.create_index("ix_applications_record_id", "applications", ["record_id"])
    op.create_index("ix_applications_department_id", "applications", ["department_id"])
    op.create_index("ix_applications_state", "applications", ["state"])
    op.create_table(
        "application_attachments",
        sa.Column("id", big_id, nullable=False),
        sa.Column("application_id", big_id, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False, comment="by content"),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_attachments_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_attachments")),
    )
    op.create_index(
        "ix_application_attachments_application_id",
        "application_attachments",
        ["application_id"],
    )
    op.create_table(
        "outbox",
        sa.Column("id", big_id, nullable=False),
        sa.Column("to_addr", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("application_id", big_id, nullable=True),
        sa.Column("status", sa.String(8), nullable=False, comment="queued | sent"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("next_try_at", stamp, nullable=False),
        sa.Column("sent_at", stamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_outbox_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_application_id", "outbox", ["application_id"])
    op.create_index("ix_outbox_status_next_try_at", "outbox", ["status", "next_try_at"])
    op.add_column(
        "departments",
        sa.Column("notify_email", sa.String(254), nullable=True, comment="clerks' e-mail (0014)"),
    )


def downgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("notify_email")
    op.drop_table("outbox")
    op.drop_table("application_attachments")
    op.drop_table("applications")
