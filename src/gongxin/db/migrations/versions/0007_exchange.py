"""resource providers, sharing requests, grants, change log (with triggers on records)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The change log is written by the database itself, so that intake (or anything else that
# writes records) needs no change: a record inserted → ``insert``; its version raised (a
# correction, a withdrawal by status) → ``update``. SQLite: row triggers. PostgreSQL: statement
# triggers over transition tables (one INSERT … SELECT per statement, fast under COPY), stamping
# each change with the writer's transaction id for the commit-safe feed.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version)
        VALUES (NEW.id, NEW.dataset, 'insert', NEW.updated_at, NEW.version);
    END
    """,
    """
    CREATE TRIGGER trg_records_change_update AFTER UPDATE OF version ON records
    WHEN NEW.version <> OLD.version
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version)
        VALUES (NEW.id, NEW.dataset, 'update', NEW.updated_at, NEW.version);
    END
    """,
]
POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION gongxin_records_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, txid)
        SELECT n.id, n.dataset, 'insert', n.updated_at, n.version, txid_current()
        FROM new_rows n ORDER BY n.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION gongxin_records_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, txid)
        SELECT n.id, n.dataset, 'update', n.updated_at, n.version, txid_current()
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.version <> o.version ORDER BY n.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gongxin_records_inserted()
    """,
    """
    CREATE TRIGGER trg_records_change_update AFTER UPDATE ON records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gongxin_records_updated()
    """,
]


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "dataset_providers",
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", stamp, nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False, comment="actor"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_dataset_providers_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("dataset", "department_id", name=op.f("pk_dataset_providers")),
    )
    op.create_table(
        "share_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False, comment="用途"),
        sa.Column("fields", json, nullable=False, comment="requested field codes"),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, comment="pending | approved | refused"),
        sa.Column("submitted_at", stamp, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False, comment="actor"),
        sa.Column("deadline", sa.Date(), nullable=False, comment="reply due by (working days)"),
        sa.Column("decided_at", stamp, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True, comment="actor"),
        sa.Column("decided_department_id", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True, comment="refusal reasons or approval note"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_share_requests_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_department_id"],
            ["departments.id"],
            name=op.f("fk_share_requests_decided_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_requests")),
    )
    op.create_index(op.f("ix_share_requests_dataset"), "share_requests", ["dataset"])
    op.create_index(op.f("ix_share_requests_department_id"), "share_requests", ["department_id"])
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("fields", json, nullable=True, comment="granted field codes; null = all"),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True, comment="last day of use; null = open"),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("revoked_at", stamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_grants_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["share_requests.id"],
            name=op.f("fk_grants_request_id_share_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_department_id"), "grants", ["department_id"])
    op.create_index(op.f("ix_grants_dataset_department_id"), "grants", ["dataset", "department_id"])
    op.create_table(
        "change_log",
        sa.Column("seq", big_id, nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("op", sa.String(10), nullable=False, comment="insert | update | expire"),
        sa.Column("at", stamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True, comment="PostgreSQL: the writer's txid"),
        sa.Column(
            "ends_on",
            sa.Date(),
            nullable=True,
            comment="expire: day it stopped being in force; insert/update: expiry due (sweep)",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
    )
    op.create_index(op.f("ix_change_log_record_id"), "change_log", ["record_id"])
    op.create_index(op.f("ix_change_log_dataset_seq"), "change_log", ["dataset", "seq"])
    op.create_index(op.f("ix_change_log_dataset_txid"), "change_log", ["dataset", "txid"])
    op.create_index(
        op.f("ix_change_log_dataset_op_ends_on_seq"),
        "change_log",
        ["dataset", "op", "ends_on", "seq"],
    )

    postgres = op.get_bind().dialect.name == "postgresql"
    # Records stored before this migration enter the feed as inserts, in id order.
    txid = ", txid_current()" if postgres else ""
    op.execute(
        "INSERT INTO change_log (record_id, dataset, op, at, version"
        + (", txid" if postgres else "")
        + f") SELECT id, dataset, 'insert', updated_at, version{txid} FROM records ORDER BY id"
    )
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert ON records")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update ON records")
        op.execute("DROP FUNCTION IF EXISTS gongxin_records_inserted()")
        op.execute("DROP FUNCTION IF EXISTS gongxin_records_updated()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
    op.drop_table("change_log")
    op.drop_table("grants")
    op.drop_table("share_requests")
    op.drop_table("dataset_providers")
