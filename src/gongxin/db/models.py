"""The tables of the operational store (SQLAlchemy Core).

Schema changes go through Alembic migrations in ``db/migrations``; this module is their model.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def _received_on(context: Any) -> date | None:
    """``received_on`` of a new submission: the China date of its ``received_at``."""
    from gongxin.clock import local_date

    received = context.get_current_parameters().get("received_at")
    return local_date(received) if isinstance(received, datetime) else None


departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("code", sa.String(18), nullable=True, comment="统一社会信用代码"),
    sa.Column("kind", sa.String(20), nullable=False, comment="provider | user | centre"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("parent_id", sa.ForeignKey("departments.id"), nullable=True, comment="上级部门"),
    sa.Column("region", sa.String(100), nullable=True, comment="行政区划代码或名称"),
    sa.Column("notify_email", sa.String(254), nullable=True, comment="clerks' e-mail (0014)"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True, comment="shown, for lookup"),
    sa.Column("key_hash", sa.String(64), nullable=False, comment="SHA-256 of the whole key"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=True),
    sa.Column("revoked_at", Timestamp, nullable=True),
    sa.Column("last_used_at", Timestamp, nullable=True),
    sa.Column("scopes", Json, nullable=False, comment="list of scope names (submit, check, ...)"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("file_size", sa.BigInteger, nullable=False),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("encoding", sa.String(40), nullable=True),
    sa.Column("layout", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, comment="complete"),
    sa.Column("rows", sa.Integer, nullable=False, default=0),
    sa.Column("accepted", sa.Integer, nullable=False, default=0),
    sa.Column("updated", sa.Integer, nullable=False, default=0),
    sa.Column("duplicates", sa.Integer, nullable=False, default=0),
    sa.Column("rejected", sa.Integer, nullable=False, default=0),
    sa.Column("unlinked", sa.Integer, nullable=False, default=0),
    sa.Column("warnings", sa.Integer, nullable=False, default=0),
    sa.Column("headers", Json, nullable=False, comment="the file's header row, in order"),
    sa.Column("unknown_columns", Json, nullable=False),
    sa.Column("notes", Json, nullable=False),
    sa.Column("received_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Column(
        "received_on",
        sa.Date,
        nullable=True,
        default=_received_on,
        comment="China calendar day of received_at (timeliness)",
    ),
    sa.Column(
        "backload",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="存量补录: historical records, not judged for timeliness",
    ),
    sa.UniqueConstraint("dataset", "department_id", "file_sha256"),
)

subjects = sa.Table(
    "subjects",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=True, unique=True, comment="统一社会信用代码"),
    sa.Column("reg_no", sa.String(15), nullable=True, index=True, comment="工商注册号"),
    sa.Column("org_code", sa.String(9), nullable=True, index=True, comment="组织机构代码"),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("name_norm", sa.String(500), nullable=False, index=True),
    sa.Column("entity_type", sa.String(100), nullable=True, comment="企业类型"),
    sa.Column("legal_rep", sa.String(200), nullable=True, comment="法定代表人"),
    sa.Column("capital", sa.Numeric(24, 6), nullable=True),
    sa.Column("capital_unit", sa.String(40), nullable=True),
    sa.Column("reg_date", sa.Date, nullable=True),
    sa.Column("province", sa.String(40), nullable=True),
    sa.Column("region", sa.String(100), nullable=True),
    sa.Column("address", sa.Text, nullable=True),
    sa.Column("business_scope", sa.Text, nullable=True),
    sa.Column("reg_status", sa.String(10), nullable=True, comment="登记状态"),
    sa.Column("reg_authority", sa.String(200), nullable=True, comment="登记机关"),
    sa.Column("term_end", sa.Date, nullable=True, comment="营业期限至"),
    sa.Column("industry_code", sa.String(5), nullable=True, comment="GB/T 4754"),
    sa.Column("region_code", sa.String(6), nullable=True, comment="GB/T 2260"),
    sa.Column("exit_date", sa.Date, nullable=True, comment="注销、吊销或撤销日期"),
    sa.Column(
        "legal_rep_key", sa.String(40), nullable=True, index=True, comment="法定代表人证件 HMAC"
    ),
    sa.Column("phone", sa.String(40), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(32), nullable=False),
    sa.Column("content_hash", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=True, index=True),
    sa.Column(
        "link_kind", sa.String(20), nullable=True, comment="uscc | reg_no | org_code | person"
    ),
    sa.Column("link_code", sa.String(32), nullable=True),
    sa.Column("subject_name", sa.String(500), nullable=True),
    sa.Column("event_date", sa.Date, nullable=True),
    sa.Column("submission_id", sa.String(32), nullable=False),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("data", Json, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column(
        "department_id", sa.ForeignKey("departments.id"), nullable=False, comment="owner: 提交部门"
    ),
    # Dedupe keys are per owner: another department's row never matches this record.
    sa.UniqueConstraint("dataset", "dedupe_key", "department_id"),
    # the visibility gate's decision of this version, apart from the day (records/decisions.py)
    sa.Column(
        "status",
        sa.String(12),
        nullable=False,
        server_default="in_force",
        comment="in_force | withdrawn | revoked | repaired | objection",
    ),
    sa.Column("natural_person", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_shared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("in_force", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pub_from", sa.Date, nullable=True, comment="first day of its window"),
    sa.Column("pub_until", sa.Date, nullable=True, comment="last day of its window; null: open"),
    sa.Column(
        "public_data",
        sa.Text,
        nullable=True,
        comment="the version masked for the public, JSON text; null: never public (0017)",
    ),
    sa.Index("ix_records_dataset_event_date", "dataset", "event_date"),  # periods (0013)
)
# Public list pages: newest first within a dataset, only rows the public may see at all; the
# window is checked from the index entry. Lists of entries in force, by the end of the window.
sa.Index(
    "ix_records_public_list",
    records.c.dataset,
    records.c.is_public,
    records.c.event_date,
    records.c.id,
    records.c.pub_from,
    records.c.pub_until,
)
sa.Index("ix_records_in_force", records.c.dataset, records.c.in_force, records.c.pub_until)

# The deciding authority of a licence or penalty (许可机关 XK_XKJG / 处罚机关 CF_CFJG), read from
# the record's JSON with literal paths, so that the index below serves the 双公示 filter and
# choice list: an expression index is used only for the very same expression, and SQLAlchemy's
# own JSON access binds its path as a parameter, which no index matches.
AUTHORITY_FIELDS = ("CF_CFJG", "XK_XKJG")


class deciding_authority(FunctionElement[str]):
    """``deciding_authority(records.c.data)``: the authority a record names, or NULL."""

    type = sa.String()
    name = "deciding_authority"
    inherit_cache = True


@compiles(deciding_authority, "postgresql")
def _authority_postgresql(element: deciding_authority, compiler: SQLCompiler, **kw: Any) -> str:
    data = compiler.process(next(iter(element.clauses)), **kw)
    fields = ", ".join(f"{data} ->> '{f}'" for f in AUTHORITY_FIELDS)
    return f"(COALESCE({fields}))"  # PostgreSQL wants an indexed expression in parentheses


@compiles(deciding_authority)
def _authority_sqlite(element: deciding_authority, compiler: SQLCompiler, **kw: Any) -> str:
    data = compiler.process(next(iter(element.clauses)), **kw)
    fields = ", ".join(f"json_extract({data}, '$.{f}')" for f in AUTHORITY_FIELDS)
    return f"COALESCE({fields})"


# 双公示 pages filtered by deciding authority, newest first; the choice list (migration 0024)
sa.Index(
    "ix_records_authority",
    records.c.dataset,
    deciding_authority(records.c.data),
    records.c.event_date,
)
# What a waiting (unlinked) record waits on: the organisation code inside its USCC, or else its
# own code. A subject that arrives later finds its waiting records through this one index: by
# the organisation code inside its USCC (which also covers records with that very USCC and
# records that gave only the organisation code), or by its registration number.
# Literals, not bound parameters: SQLite uses an expression index only for the same expression.
_nine: sa.ColumnClause[int] = sa.literal_column("9", sa.Integer)
waiting_on_code = sa.case(
    (
        records.c.link_kind == sa.literal_column("'uscc'"),
        sa.func.substr(records.c.link_code, _nine, _nine),
    ),
    else_=records.c.link_code,
).self_group()  # PostgreSQL wants an indexed expression in its own parentheses
sa.Index(
    "ix_records_waiting",
    waiting_on_code,
    sqlite_where=sa.text("subject_id IS NULL"),
    postgresql_where=sa.text("subject_id IS NULL"),
)

# Other codes a waiting (unlinked) record may link by: a registration number or organisation
# code given beside its USCC. The record's own code and the organisation code inside its USCC
# are indexed on ``records`` itself.
record_links = sa.Table(
    "record_links",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Index("ix_record_links_code", "kind", "code"),
)

record_history = sa.Table(
    "record_history",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("record_id", sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(32), nullable=False),
    sa.Column("submission_id", sa.String(32), nullable=False),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("data", Json, nullable=False),
    sa.Column("replaced_at", Timestamp, nullable=False),
    sa.Column("replaced_by", sa.String(32), nullable=False, comment="submission id"),
)

# The authority names (处罚机关, 许可机关, 作出决定机关 …) a department may file records for,
# besides its own name; set by the credit centre (``gongxin dept authority add``).
department_authorities = sa.Table(
    "department_authorities",
    metadata,
    sa.Column("department_id", sa.ForeignKey("departments.id"), primary_key=True),
    sa.Column("authority", sa.String(200), primary_key=True, comment="机关名称"),
    sa.Column("assigned_at", Timestamp, nullable=False),
    sa.Column("assigned_by", sa.String(200), nullable=False, comment="actor"),
)

row_warnings = sa.Table(
    "row_warnings",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("warnings", Json, nullable=False, comment="problems of an accepted row"),
)

rejects = sa.Table(
    "rejects",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("raw", Json, nullable=False, comment="the row as read: [header, text] pairs"),
    sa.Column("errors", Json, nullable=False),
)
