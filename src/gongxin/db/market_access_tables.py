"""Tables of the market services run by marks (issue 15 items 3 and 4): trust marks (网站可信标识)
issued to companies, and the credit agencies (征信机构) that query subjects — their
authorisation records and their query log. Migration 0028.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Timestamp, metadata

trust_marks = sa.Table(
    "trust_marks",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("serial", sa.String(40), nullable=False, unique=True, comment="标识编号, signed"),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False, index=True),
    sa.Column("uscc", sa.String(18), nullable=False, comment="统一社会信用代码 when issued"),
    sa.Column("bound_url", sa.String(500), nullable=False, comment="the site or shop it is for"),
    sa.Column("issued_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("algorithm", sa.String(10), nullable=False, comment="ed25519 | sm2"),
    sa.Column("key_id", sa.String(16), nullable=False, comment="signing key's fingerprint"),
    sa.Column("signature", sa.String(200), nullable=False, comment="base64url"),
    sa.Column("revoked_at", Timestamp, nullable=True),
    sa.Column("revoked_reason", sa.String(200), nullable=True),
    sa.Column("issued_by", sa.String(200), nullable=False, comment="actor"),
)

credit_agencies = sa.Table(
    "credit_agencies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "department_id",
        sa.ForeignKey("departments.id"),
        nullable=False,
        unique=True,
        comment="the account its keys belong to",
    ),
    sa.Column("kind", sa.String(20), nullable=False, comment="personal | enterprise | rating …"),
    sa.Column("licence_no", sa.String(100), nullable=False, comment="许可或备案编号"),
    sa.Column("quota_per_day", sa.Integer, nullable=False, comment="queries per China day"),
    sa.Column("status", sa.String(10), nullable=False, comment="active | suspended"),
    sa.Column("status_reason", sa.String(200), nullable=True),
    sa.Column("status_changed_at", Timestamp, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

agency_authorisations = sa.Table(
    "agency_authorisations",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("credit_agencies.id"), nullable=False),
    sa.Column("person_key", sa.String(40), nullable=False, comment="HMAC of the ID number"),
    sa.Column("reference", sa.String(100), nullable=False, comment="the consent's reference"),
    sa.Column("purpose", sa.String(20), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("revoked_at", Timestamp, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("agency_id", "reference"),
    sa.Index("ix_agency_authorisations_person", "agency_id", "person_key"),
)

agency_queries = sa.Table(
    "agency_queries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("credit_agencies.id"), nullable=False),
    sa.Column("queried_at", Timestamp, nullable=False),
    sa.Column("key_prefix", sa.String(16), nullable=True),
    sa.Column("staff", sa.String(100), nullable=False, comment="查询人员"),
    sa.Column("subject_kind", sa.String(10), nullable=False, comment="org | person"),
    sa.Column("subject_ref", sa.String(40), nullable=False, comment="code, or the person's HMAC"),
    sa.Column("purpose", sa.String(20), nullable=False),
    sa.Column("authorisation_id", sa.BigInteger, nullable=True),
    sa.Column("outcome", sa.String(12), nullable=False, comment="served | refused | …"),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("records_served", sa.Integer, nullable=False),
    sa.Column("records_withheld", sa.Integer, nullable=False, comment="negative, too old"),
    sa.Index("ix_agency_queries_agency_time", "agency_id", "queried_at"),
    sa.Index("ix_agency_queries_queried_at", "queried_at"),
)
