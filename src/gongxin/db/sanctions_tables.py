"""Tables of joint reward and punishment: loaded memoranda, credit checks and their results.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.

- ``memoranda``: memoranda loaded with ``gongxin memoranda load`` (the packaged starter set is
  read from the package, not stored). Versioned by id: loading the same id again adds a
  version and marks the previous one superseded; nothing is deleted.
- ``checks``: one row per credit check (信用核查) call: who asked, why, for which scene and date.
- ``check_results``: one row per subject checked, in the caller's order. A subject with no hit
  keeps only its query and how it matched (``hits``/``measures`` NULL); one with hits keeps the
  entries and measures (with measure ids, which feedback refers to) as they were at check time.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import Json, Timestamp, metadata

memoranda = sa.Table(
    "memoranda",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True, comment="the memorandum's own id"),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False, comment="punish | reward | both"),
    sa.Column("issued_on", sa.Date, nullable=True),
    sa.Column("data", Json, nullable=False, comment="the validated memorandum with measures"),
    sa.Column("source", sa.String(500), nullable=False, comment="file it was loaded from"),
    sa.Column("loaded_at", Timestamp, nullable=False),
    sa.Column("loaded_by", sa.String(200), nullable=False),
    sa.Column("superseded_at", Timestamp, nullable=True, comment="NULL: the current version"),
)

checks = sa.Table(
    "checks",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True, comment="e.g. HC20261122-7F3A9C2E1B"),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=True, index=True),
    sa.Column("actor", sa.String(200), nullable=False, comment="key:<prefix> | user:<n> | cli"),
    sa.Column("requester", sa.String(200), nullable=False, comment="person or system asking"),
    sa.Column("purpose", sa.Text, nullable=False, comment="用途, as the caller stated it"),
    sa.Column("scene", sa.String(64), nullable=False, index=True, comment="scene code"),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False, index=True),
    sa.Column("subjects", sa.Integer, nullable=False, comment="subjects asked about"),
    sa.Column("hits", sa.Integer, nullable=False, comment="subjects with at least one entry"),
    sa.Column("errors", sa.Integer, nullable=False, comment="items that could not be checked"),
)

check_results = sa.Table(
    "check_results",
    metadata,
    sa.Column("check_id", sa.ForeignKey("checks.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, comment="0-based, the caller's order"),
    sa.Column("query", sa.String(500), nullable=False, comment="the code or name as given"),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=True, index=True),
    sa.Column("subject_code", sa.String(32), nullable=True),
    sa.Column("subject_name", sa.String(500), nullable=True),
    sa.Column(
        "match", sa.String(20), nullable=False, comment="code|name_exact|name_normalised|none"
    ),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("hits", Json, nullable=True, comment="list entries that applied; NULL: none"),
    sa.Column("measures", Json, nullable=True, comment="measures and rewards, with ids"),
    sa.Column("error", Json, nullable=True, comment="why the item could not be checked"),
)
