"""Record ownership: who may write a dataset, in whose name, and whose records a row may change.

Every record belongs to the department that submitted it, and its dedupe key is unique per
owner. A row matching another department's record is refused with the owner's name (it can
neither correct nor withdraw that record), unless the dataset's spec has ``shared_records``,
where the row becomes the submitting department's own record. A row whose authority field
(处罚机关 …) names an authority the department may not file for is refused. A dataset with
``writers: providers`` (the registration dataset) takes submissions only from its assigned
providers. Principle: nothing one department sends can change another's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gongxin.catalog import providers
from gongxin.catalog.model import DatasetSpec
from gongxin.errors import Forbidden
from gongxin.identity import authorities
from gongxin.identity.departments import Department
from gongxin.intake.validate import SHOWN_VALUE, Problem

ASSIGN_PROVIDER = "gongxin exchange provider set"
ASSIGN_AUTHORITY = "gongxin dept authority add"


@dataclass(frozen=True)
class Filer:
    """The submitting department as intake needs it: the owner of what it stores."""

    id: int
    name: str
    authorities: frozenset[str]  # names it may file for, its own included


def filer(conn: sa.Connection, spec: DatasetSpec, department: Department) -> Filer:
    """The department as the writer of ``spec``; Forbidden when the dataset is written only by
    its assigned providers and the department is not one of them (nothing is stored)."""
    if spec.writers == "providers" and not any(
        p.id == department.id for p in providers.providers_of(conn, spec.code)
    ):
        assigned = [p.name for p in providers.providers_of(conn, spec.code)]
        names = "、".join(assigned) or "尚未指定"
        raise Forbidden(
            f"数据集 {spec.code}（{spec.name}）只接受信用中心指定的提供部门（{names}）报送，"
            f"部门“{department.name}”不在其中；如需报送请联系信用中心指定（{ASSIGN_PROVIDER}）",
            f"dataset {spec.code} is written only by its assigned providers "
            f"({', '.join(assigned) or 'none assigned yet'}); "
            f"{department.name!r} is not one: ask the credit centre to assign it",
            dataset=spec.code,
            department=department.name,
            rule="assigned_writers",
        )
    return Filer(department.id, department.name, authorities.names_of(conn, department))


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + "…"


def authority_problem(spec: DatasetSpec, data: dict[str, Any], who: Filer) -> Problem | None:
    """A problem when the row's authority field names an authority ``who`` may not file for."""
    code = spec.authority_field
    if code is None:
        return None
    value = data.get(code)
    if value is None or str(value).strip() == "" or str(value).strip() in who.authorities:
        return None
    name = spec.field(code).name
    return Problem(
        code,
        name,
        _shown(value),
        "authority_not_filer",
        f"{name}“{_shown(value)}”不是报送部门 {who.name}，也不在其可代为报送的机关之列；"
        f"记录只能由作出决定的机关或经信用中心授权的部门报送（{ASSIGN_AUTHORITY}）",
        f"{code} {_shown(value)!r} is neither the submitting department {who.name!r} nor an "
        "authority it is authorised to file for; ask the credit centre to authorise it",
    )


def owned_elsewhere(spec: DatasetSpec, data: dict[str, Any], owner: str) -> Problem:
    """The problem of a row that matches the record of another department ``owner``."""
    code = next((k for k in spec.dedupe_key if k != "@subject"), None)
    if code is None:  # the key is the subject alone (the register)
        code = spec.subject_keys.uscc or spec.subject_keys.name or ""
    name = spec.field(code).name if code else "去重键"
    value = _shown(data.get(code)) if code else ""
    return Problem(
        code,
        name,
        value,
        "owned_by_other",
        f"该记录（同一去重键）属于 {owner}，本部门不能更正、撤销或覆盖；请联系 {owner} 更正",
        f"a record with the same dedupe key is owned by {owner}; it cannot be corrected, "
        f"withdrawn or overwritten by another department: ask {owner} to correct it",
    )
