"""One record submitted by a program (an API call or a back-office form) instead of a file.

The row goes through the same validator and record store as a department's file: it is checked
against the dataset's spec, keyed by its dedupe key, stored as a new record or as a correction
of the record with the same key (the previous version kept in history), and it gets a
submission of its own (format ``api``) so that its provenance is kept like any file's. It runs
in the caller's transaction, so the record and the caller's audit entry commit together, and a
row that breaks a rule stores nothing: the caller gets every problem, naming field, value and
rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, submissions
from gongxin.errors import Forbidden, InvalidInput
from gongxin.identity.departments import Department
from gongxin.intake import ownership
from gongxin.intake.mapping import resolve
from gongxin.intake.pipeline import new_submission_id
from gongxin.intake.readers.table import Row
from gongxin.intake.store import Pending, RecordWriter, prepare
from gongxin.intake.validate import Problem, RowValidator


@dataclass(frozen=True)
class Stored:
    record_id: int
    submission_id: str
    outcome: str  # accepted | updated | duplicate


def check_row(
    catalog: Catalog, spec: DatasetSpec, values: Mapping[str, Any], now: datetime
) -> Pending:
    """Validate one row given by field code; raise InvalidInput naming every problem."""
    headers = [f.code for f in spec.fields]
    hmap = resolve(catalog, spec, headers)
    row = Row(1, [_cell(values.get(code)) for code in headers])
    checked = RowValidator(hmap, now).check(row)
    if checked.data is None:
        problems = [p.to_dict() for p in checked.errors]
        first = checked.errors[0]
        where = f"字段“{first.name}”（{first.field}）" if first.field else "整条记录"
        raise InvalidInput(
            f"{spec.name}未通过校验：{where} 值“{first.value}”：{first.zh}"
            + (f"；另有 {len(problems) - 1} 处问题" if len(problems) > 1 else ""),
            f"the {spec.name_en or spec.code} record breaks a rule: {first.field} "
            f"{first.value!r}: {first.en}",
            problems=problems,
        )
    return prepare(spec, checked)


def _refused(problem: Problem) -> Forbidden:
    return Forbidden(
        f"字段“{problem.name}”（{problem.field}）值“{problem.value}”：{problem.zh}",
        f"{problem.field} {problem.value!r}: {problem.en}",
        field=problem.field,
        value=problem.value,
        rule=problem.rule,
    )


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def store_row(
    conn: sa.Connection,
    spec: DatasetSpec,
    pending: Pending,
    department: Department,
    *,
    now: datetime,
    label: str,
    owner: Department | None = None,
) -> Stored:
    """Store a checked row as a one-row submission of ``department``.

    The record is ``department``'s own (``owner``'s, when ``department`` acts in the owner's
    stead, e.g. the credit centre recording a commitment's outcome). A row naming an authority
    the owner may not file for, or matching another department's record, is Forbidden.
    """
    who = ownership.filer(conn, spec, owner or department)
    problem = ownership.authority_problem(spec, pending.checked.data or {}, who)
    if problem is not None:
        raise _refused(problem)
    submission_id = new_submission_id(now)
    content = orjson.dumps([submission_id, pending.checked.data], option=orjson.OPT_SORT_KEYS)
    headers = [f.code for f in spec.fields]
    conn.execute(
        submissions.insert().values(
            id=submission_id,
            dataset=spec.code,
            department_id=department.id,
            file_name=label[:500],
            file_sha256=hashlib.sha256(content).hexdigest(),
            file_size=len(content),
            format="api",
            encoding=None,
            layout="current",
            status="processing",
            rows=1, accepted=0, updated=0, duplicates=0, rejected=0, unlinked=0, warnings=0,
            headers=headers,
            unknown_columns=[],
            notes=[],
            received_at=now,
        )
    )  # fmt: skip
    writer = RecordWriter(conn, spec, submission_id, now, headers, who)
    writer.write_prepared([pending])
    if writer.refused:
        raise _refused(writer.refused[0])
    counts = writer.counts
    conn.execute(
        submissions.update()
        .where(submissions.c.id == submission_id)
        .values(
            status="complete",
            accepted=counts.accepted,
            updated=counts.updated,
            duplicates=counts.duplicates,
            unlinked=counts.unlinked,
            warnings=counts.warnings,
            finished_at=now,
        )
    )
    record_id = conn.execute(
        sa.select(records.c.id).where(
            records.c.dataset == spec.code,
            records.c.dedupe_key == pending.key,
            records.c.department_id == who.id,
        )
    ).scalar_one()
    outcome = "accepted" if counts.accepted else "updated" if counts.updated else "duplicate"
    return Stored(int(record_id), submission_id, outcome)
