"""credit complaints (信用投诉) and their evidence files

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False, comment="投诉编号, shown"),
        sa.Column("code_hash", sa.String(length=64), nullable=False, comment="SHA-256 of 查询码"),
        sa.Column(
            "subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("company_name", sa.String(length=500), nullable=False, comment="as registered"),
        sa.Column(
            "company_code", sa.String(length=18), nullable=False, comment="USCC or reg. number"
        ),
        sa.Column(
            "company_email", sa.String(length=254), nullable=True, comment="where the link went"
        ),
        sa.Column("complainant", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False, comment="诉求"),
        sa.Column("facts", sa.Text(), nullable=False, comment="事实与经过"),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("triage_due", sa.Date(), nullable=False, comment="last working day to triage"),
        sa.Column("triaged_on", sa.Date(), nullable=True),
        sa.Column("triaged_by", sa.String(length=200), nullable=True),
        sa.Column("refusal_reason", sa.String(length=40), nullable=True),
        sa.Column("refusal_note", sa.Text(), nullable=True),
        sa.Column(
            "public_summary", sa.Text(), nullable=True, comment="what the credit record shows"
        ),
        sa.Column("reply_due", sa.Date(), nullable=True, comment="last working day to reply"),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("overdue_on", sa.Date(), nullable=True, comment="marked overdue that day"),
        sa.Column("rating", sa.String(length=20), nullable=True),
        sa.Column("rating_note", sa.Text(), nullable=True),
        sa.Column("rated_on", sa.Date(), nullable=True),
        sa.Column("typical", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("typical_text", sa.Text(), nullable=True, comment="anonymised case narrative"),
        sa.Column("typical_view", sa.Text(), nullable=True, comment="the analyst's view"),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_complaints_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_complaints_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_complaints_code_hash")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_received_on"), ["received_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "complaint_evidence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "complaint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False, comment="by content"),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_evidence_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_evidence")),
    )
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_evidence_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_evidence_complaint_id"))

    op.drop_table("complaint_evidence")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_subject_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_state"))
        batch_op.drop_index(batch_op.f("ix_complaints_record_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_received_on"))
        batch_op.drop_index(batch_op.f("ix_complaints_category"))

    op.drop_table("complaints")
