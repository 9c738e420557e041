"""trust marks (网站可信标识); credit agencies, their authorisations and query log

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "trust_marks",
        sa.Column("id", big_id, nullable=False),
        sa.Column("serial", sa.String(40), nullable=False, comment="标识编号, signed"),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False, comment="统一社会信用代码 when issued"),
        sa.Column(
            "bound_url", sa.String(500), nullable=False, comment="the site or shop it is for"
        ),
        sa.Column("issued_at", stamp, nullable=False),
        sa.Column("expires_at", stamp, nullable=False),
        sa.Column("algorithm", sa.String(10), nullable=False, comment="ed25519 | sm2"),
        sa.Column("key_id", sa.String(16), nullable=False, comment="signing key's fingerprint"),
        sa.Column("signature", sa.String(200), nullable=False, comment="base64url"),
        sa.Column("revoked_at", stamp, nullable=True),
        sa.Column("revoked_reason", sa.String(200), nullable=True),
        sa.Column("issued_by", sa.String(200), nullable=False, comment="actor"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_trust_marks_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_marks")),
        sa.UniqueConstraint("serial", name=op.f("uq_trust_marks_serial")),
    )
    op.create_index(op.f("ix_trust_marks_subject_id"), "trust_marks", ["subject_id"])
    op.create_table(
        "credit_agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "department_id",
            sa.Integer(),
            nullable=False,
            comment="the account its keys belong to",
        ),
        sa.Column(
            "kind", sa.String(20), nullable=False, comment="personal | enterprise | rating …"
        ),
        sa.Column("licence_no", sa.String(100), nullable=False, comment="许可或备案编号"),
        sa.Column("quota_per_day", sa.Integer(), nullable=False, comment="queries per China day"),
        sa.Column("status", sa.String(10), nullable=False, comment="active | suspended"),
        sa.Column("status_reason", sa.String(200), nullable=True),
        sa.Column("status_changed_at", stamp, nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_credit_agencies_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_agencies")),
        sa.UniqueConstraint("department_id", name=op.f("uq_credit_agencies_department_id")),
    )
    op.create_table(
        "agency_authorisations",
        sa.Column("id", big_id, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(40), nullable=False, comment="HMAC of the ID number"),
        sa.Column("reference", sa.String(100), nullable=False, comment="the consent's reference"),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("revoked_at", stamp, nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["credit_agencies.id"],
            name=op.f("fk_agency_authorisations_agency_id_credit_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_authorisations")),
        sa.UniqueConstraint(
            "agency_id", "reference", name=op.f("uq_agency_authorisations_agency_id_reference")
        ),
    )
    op.create_index(
        "ix_agency_authorisations_person", "agency_authorisations", ["agency_id", "person_key"]
    )
    op.create_table(
        "agency_queries",
        sa.Column("id", big_id, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("queried_at", stamp, nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=True),
        sa.Column("staff", sa.String(100), nullable=False, comment="查询人员"),
        sa.Column("subject_kind", sa.String(10), nullable=False, comment="org | person"),
        sa.Column(
            "subject_ref", sa.String(40), nullable=False, comment="code, or the person's HMAC"
        ),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("authorisation_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(12), nullable=False, comment="served | refused | …"),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("records_served", sa.Integer(), nullable=False),
        sa.Column("records_withheld", sa.Integer(), nullable=False, comment="negative, too old"),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["credit_agencies.id"],
            name=op.f("fk_agency_queries_agency_id_credit_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_queries")),
    )
    op.create_index("ix_agency_queries_agency_time", "agency_queries", ["agency_id", "queried_at"])
    op.create_index("ix_agency_queries_queried_at", "agency_queries", ["queried_at"])


def downgrade() -> None:
    op.drop_table("agency_queries")
    op.drop_table("agency_authorisations")
    op.drop_table("credit_agencies")
    op.drop_index(op.f("ix_trust_marks_subject_id"), table_name="trust_marks")
    op.drop_table("trust_marks")
