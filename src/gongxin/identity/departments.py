"""Departments: the providers that submit data, the users that consume it, the credit centre."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import departments
from gongxin.errors import Conflict, InvalidInput, NotFound
from gongxin.ids import uscc
from gongxin.ids.exceptions import InvalidIdentifier

NAME_MIN, NAME_MAX = 2, 100
# besides letters (汉字 included) and digits: a space and the punctuation of official names
NAME_PUNCTUATION = frozenset(" ()（）[]【】《》〈〉·・、,，.．-－—_&/")

Kind = Literal["provider", "user", "centre", "evaluator"]
KINDS: tuple[str, ...] = get_args(Kind)
KIND_NAMES = {
    "provider": "数据提供部门",
    "user": "数据使用部门",
    "centre": "信用中心",
    "evaluator": "评价机构",  # 行业协会、评级机构 (docs/industry-evaluation.md)
}


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    code: str | None
    kind: str
    created_at: datetime
    parent_id: int | None = None  # 上级部门
    region: str | None = None  # 行政区划代码或名称


def _of(row: sa.Row[object]) -> Department:
    m = row._mapping
    return Department(
        m["id"], m["name"], m["code"], m["kind"], m["created_at"], m["parent_id"], m["region"]
    )


def add(
    conn: sa.Connection,
    name: str,
    *,
    kind: str,
    code: str | None,
    now: datetime,
    parent: str | None = None,
    region: str | None = None,
    actor: str = "cli",
) -> Department:
    """Register a department; its name must pass ``check_name``, its code, when given, must be
    a valid USCC; its parent, when given, must be registered already."""
    check_name(name)
    region = (region or "").strip() or None
    if region is not None and len(region) > 100:
        raise InvalidInput(
            f"行政区划“{region[:20]}…”过长（最多 100 字）",
            "the region is longer than 100 characters",
        )
    parent_id = get(conn, parent).id if parent else None
    if kind not in KINDS:
        raise InvalidInput(
            f"部门类型“{kind}”无效，可选：{'、'.join(KINDS)}",
            f"invalid department kind {kind!r}; choose one of {', '.join(KINDS)}",
        )
    if code is not None:
        try:
            code = uscc.validate(code)
        except InvalidIdentifier as exc:
            raise InvalidInput(
                f"部门代码无效：{exc.zh}", f"invalid department code: {exc.en}"
            ) from exc
    if conn.execute(sa.select(departments.c.id).where(departments.c.name == name)).first():
        raise Conflict(f"部门“{name}”已存在", f"department {name!r} already exists")
    conn.execute(
        departments.insert().values(
            name=name, code=code, kind=kind, created_at=now, parent_id=parent_id, region=region
        )
    )
    dept = get(conn, name)
    audit.record(
        conn,
        actor=actor,
        action="department.add",
        target=f"department:{dept.name}",
        now=now,
        department_id=dept.id,
        detail={"kind": kind, "code": code, "parent_id": parent_id, "region": region},
    )
    return dept


def _name_error(name: str, zh: str, en: str) -> InvalidInput:
    shown = name if len(name) <= 40 else name[:40] + "…"
    return InvalidInput(
        f"部门名称“{shown!s}”无效：{zh}", f"invalid department name {shown!r}: {en}",
        field="name", value=shown,
    )  # fmt: skip


def check_name(name: str) -> None:
    """A department's name: 2–100 characters, letters (汉字 too), digits, spaces inside and the
    punctuation of official names, no control characters, no whitespace at either end."""
    if not name.strip():
        raise InvalidInput("部门名称不能为空", "the department name is empty", field="name")
    bad = next((c for c in name if unicodedata.category(c)[0] == "C"), None)
    if bad is not None:
        raise _name_error(
            "".join(f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else c for c in name),
            f"含控制字符 U+{ord(bad):04X}",
            f"it contains the control character U+{ord(bad):04X}",
        )
    if name != name.strip():
        raise _name_error(name, "首尾不能有空格", "it begins or ends with whitespace")
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise _name_error(
            name,
            f"长度须为 {NAME_MIN}–{NAME_MAX} 个字符（现为 {len(name)} 个）",
            f"it must be {NAME_MIN}-{NAME_MAX} characters long (it is {len(name)})",
        )
    odd = next(
        (c for c in name if unicodedata.category(c)[0] not in "LN" and c not in NAME_PUNCTUATION),
        None,
    )
    if odd is not None:
        allowed = "".join(sorted(NAME_PUNCTUATION - {" "}))
        raise _name_error(
            name,
            f"不能含字符“{odd}”；可用汉字、字母、数字、空格及 {allowed}",
            f"the character {odd!r} is not allowed; use letters, digits, spaces and {allowed}",
        )


def get(conn: sa.Connection, name: str) -> Department:
    row = conn.execute(sa.select(departments).where(departments.c.name == name.strip())).first()
    if row is None:
        raise NotFound(
            f"没有名为“{name}”的部门；请先用 gongxin dept add 登记",
            f"no department named {name!r}; register it with 'gongxin dept add'",
        )
    return _of(row)


def by_id(conn: sa.Connection, dept_id: int) -> Department:
    row = conn.execute(sa.select(departments).where(departments.c.id == dept_id)).first()
    if row is None:
        raise NotFound(f"部门 {dept_id} 不存在", f"no department {dept_id}")
    return _of(row)


def all_departments(conn: sa.Connection) -> list[Department]:
    return [_of(r) for r in conn.execute(sa.select(departments).order_by(departments.c.id))]
