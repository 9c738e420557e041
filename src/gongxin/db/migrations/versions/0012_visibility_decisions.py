"""visibility decisions stored beside each record

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The change log's triggers (migration 0007) now also give each insert/update the day that
# version stops being in force, from the decision stored on the row (``ends_on``: the day after
# ``pub_until``; 9999-12-31 when none is due or departments may not see it; the window's start
# or the day of the change when it never opens), so the feed's expiries need no judging step.
NEVER = "'9999-12-31'"
# the decision columns this migration adds (later ones back-fill their own)
COLUMNS_0012 = ("status", "natural_person", "is_shared", "is_public", "in_force", "pub_from",
                "pub_until")  # fmt: skip
SQLITE_ENDS = f"""CASE
    WHEN NOT NEW.is_shared THEN {NEVER}
    WHEN NOT NEW.in_force THEN coalesce(NEW.pub_from, date(NEW.updated_at, '+8 hours'))
    WHEN NEW.pub_until IS NULL OR NEW.pub_until >= '9999-12-30' THEN {NEVER}
    ELSE date(NEW.pub_until, '+1 day') END"""
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, ends_on)
        VALUES (NEW.id, NEW.dataset, 'insert', NEW.updated_at, NEW.version, {SQLITE_ENDS});
    END
    """,
    f"""
    CREATE TRIGGER trg_records_change_update AFTER UPDATE OF version ON records
    WHEN NEW.version <> OLD.version
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, ends_on)
        VALUES (NEW.id, NEW.dataset, 'update', NEW.updated_at, NEW.version, {SQLITE_ENDS});
    END
    """,
]
PG_ENDS = f"""CASE
    WHEN NOT n.is_shared THEN DATE {NEVER}
    WHEN NOT n.in_force THEN coalesce(n.pub_from, (n.updated_at AT TIME ZONE 'Asia/Shanghai')::date)
    WHEN n.pub_until IS NULL OR n.pub_until >= DATE '9999-12-30' THEN DATE {NEVER}
    ELSE n.pub_until + 1 END"""
POSTGRES_FUNCTIONS = [
    f"""
    CREATE OR REPLACE FUNCTION gongxin_records_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, txid, ends_on)
        SELECT n.id, n.dataset, 'insert', n.updated_at, n.version, txid_current(), {PG_ENDS}
        FROM new_rows n ORDER BY n.id;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION gongxin_records_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version, txid, ends_on)
        SELECT n.id, n.dataset, 'update', n.updated_at, n.version, txid_current(), {PG_ENDS}
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.version <> o.version ORDER BY n.id;
        RETURN NULL;
    END $$
    """,
]


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN on both dialects: SQLite keeps the table (and its
    # expression index) instead of copying it
    op.add_column(
        "records",
        sa.Column(
            "status",
            sa.String(12),
            nullable=False,
            server_default="in_force",
            comment="in_force | withdrawn | revoked | repaired | objection",
        ),
    )
    for name in ("natural_person", "is_shared", "is_public", "in_force"):
        op.add_column(
            "records", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.add_column(
        "records",
        sa.Column("pub_from", sa.Date(), nullable=True, comment="first day of its window"),
    )
    op.add_column(
        "records",
        sa.Column(
            "pub_until", sa.Date(), nullable=True, comment="last day of its window; null: open"
        ),
    )
    op.create_index(
        "ix_records_public_list",
        "records",
        ["dataset", "is_public", "event_date", "id", "pub_from", "pub_until"],
    )
    op.create_index("ix_records_in_force", "records", ["dataset", "in_force", "pub_until"])
    _back_fill()
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_FUNCTIONS:
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _back_fill() -> None:
    """Every stored record gets the gate's decision, computed by the same function intake
    uses, a batch at a time (``gongxin visibility recompute`` does the same later)."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.records import recompute, regimes
    from gongxin.settings import get_settings

    settings = get_settings()
    regimes.configure(settings.regimes_dir)
    recompute.apply(op.get_bind(), load_catalog(settings.catalog_dir), columns=COLUMNS_0012)


def downgrade() -> None:
    # the triggers of 0007, which leave ``ends_on`` to the sweep's judging step
    import importlib.util
    from pathlib import Path

    found = importlib.util.spec_from_file_location(
        "gongxin_migration_0007", Path(__file__).with_name("0007_exchange.py")
    )
    assert found is not None and found.loader is not None
    before = importlib.util.module_from_spec(found)
    found.loader.exec_module(before)
    if op.get_bind().dialect.name == "postgresql":
        for name in ("inserted", "updated"):
            head = f"CREATE FUNCTION gongxin_records_{name}()"
            function = next(f for f in before.POSTGRES_TRIGGERS if head in f)
            op.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in before.SQLITE_TRIGGERS:
            op.execute(statement)
    op.drop_index("ix_records_in_force", table_name="records")
    op.drop_index("ix_records_public_list", table_name="records")
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): the table, its expression index and the
    # triggers above stay as they are
    for name in (
        "pub_until",
        "pub_from",
        "in_force",
        "is_public",
        "is_shared",
        "natural_person",
        "status",
    ):
        op.drop_column("records", name)
