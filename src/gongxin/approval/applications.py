"""Applications for an approval matter (并联审批申请): filing opens one review per department of
the matter, in parallel, each due its own working days after receipt (clock.py, 调休 included).

Filing checks the matter, the mode (一般程序 / 容缺受理 / 告知承诺) and the materials (everything
missing is named at once, 行政许可法 art 32), the applicant's USCC and, where the matter needs
one, its GB/T 40058-2021 project code. The credit check runs on the applicant in the matter's
scene before anything is saved; its result is kept with the application and shown to every
reviewer. 告知承诺 and 容缺受理 are refused to an applicant on a list type of the credit gate
(serious dishonesty, a broken promise) until repaired. The applicant follows the case with a
查询码, kept only as its SHA-256 (the workflows' approach, ``workflows.applications.code_hash``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.approval import credit
from gongxin.approval.matters import Book, Matter
from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.clock import add_working_days
from gongxin.db.approval_tables import approval_applications as apps
from gongxin.db.approval_tables import approval_reviews as reviews
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.ids import project_code, uscc
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.workflows.applications import code_hash

MODES = tuple(credit.MODE_NAMES)
STATE_NAMES = {
    "in_review": ("并联审查中", "in parallel review"),
    "approved": ("准予许可", "approved"),
    "refused": ("不予许可", "refused"),
}
REVIEW_NAMES = {"pending": "待审查", "approved": "准予", "refused": "不予"}
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Filing:
    matter: str
    applicant: str
    applicant_code: str
    materials: list[str] = field(default_factory=list)
    mode: str = "standard"
    project_code: str | None = None


@dataclass(frozen=True)
class Filed:
    id: int
    number: str
    code: str  # the 查询码: shown once, only its hash is kept
    credit: dict[str, Any]
    reviews: list[dict[str, Any]]


def _mode(matter: Matter, mode: str) -> str:
    if mode not in MODES:
        raise InvalidInput(
            f"办理方式“{mode[:20]}”无效；可选：{'、'.join(MODES)}",
            f"mode {mode[:20]!r} is not one of {', '.join(MODES)}",
            field="mode", value=mode[:20], valid=list(MODES),
        )  # fmt: skip
    if (mode == "tolerance" and not matter.tolerance) or (mode == "promise" and not matter.promise):
        zh, en = credit.MODE_NAMES[mode]
        raise InvalidInput(
            f"事项“{matter.name}”不适用{zh}", f"matter {matter.code} does not allow {en}",
            field="mode", value=mode,
        )  # fmt: skip
    return mode


def _materials(matter: Matter, given: list[str], mode: str) -> tuple[list[str], list[str]]:
    """(promised, owed): materials replaced by a promise, and those owed under 容缺受理."""
    known = {m.code: m for m in matter.materials}
    unknown = [c for c in given if c not in known]
    if unknown:
        raise InvalidInput(
            f"事项“{matter.name}”没有材料“{unknown[0][:50]}”；可选：{'、'.join(known)}",
            f"matter {matter.code} has no material {unknown[0][:50]!r}; valid: {', '.join(known)}",
            field="materials", value=unknown[0][:50], valid=list(known),
        )  # fmt: skip
    missing = [m for m in matter.materials if m.code not in given]
    if mode == "promise":
        cannot = [m for m in missing if not m.promise]
        if not cannot:
            return [m.code for m in missing], []
    elif mode == "tolerance":
        cannot = [m for m in missing if m.main]
        if not cannot:
            return [], [m.code for m in missing]
    else:
        cannot = missing
    if not cannot:
        return [], []
    names = "、".join(m.name for m in cannot)
    note = "（主要材料不适用容缺受理）" if mode == "tolerance" else ""
    raise InvalidInput(
        f"材料不全，请一次补齐：{names}{note}",
        f"materials missing, hand them all in: {', '.join(m.code for m in cannot)}",
        field="materials", missing=[m.code for m in cannot],
    )  # fmt: skip


def _applicant(filing: Filing) -> tuple[str, str]:
    name = "".join(ch for ch in filing.applicant if ch.isprintable()).strip()
    if not name:
        raise InvalidInput(
            "申请人（applicant）不能为空", "applicant is required", field="applicant"
        )
    try:
        return name[:200], uscc.validate(filing.applicant_code)
    except InvalidIdentifier as exc:
        raise InvalidInput(
            f"申请人统一社会信用代码无效：{exc.zh}", f"applicant USCC is not valid: {exc.en}",
            field="applicant_code", value=filing.applicant_code[:40], rule=exc.rule,
        ) from None  # fmt: skip


def _project_code(matter: Matter, value: str | None, as_of: date) -> str | None:
    if not (value or "").strip():
        if matter.project_code:
            raise InvalidInput(
                f"事项“{matter.name}”须提供项目代码（GB/T 40058-2021，24 位）",
                f"matter {matter.code} needs a project code (GB/T 40058-2021)",
                field="project_code",
            )  # fmt: skip
        return None
    return project_code.validate(str(value), as_of=as_of)


def file(
    conn: sa.Connection,
    catalog: Catalog,
    book: Book,
    filing: Filing,
    *,
    as_of: date,
    now: datetime,
) -> Filed:
    """File an application, run the credit check and open the parallel reviews; refused
    (nothing saved) when the matter, mode, materials, codes or the credit gate say no."""
    matter = book.get(filing.matter)
    mode = _mode(matter, filing.mode)
    name, code = _applicant(filing)
    pcode = _project_code(matter, filing.project_code, as_of)
    given = list(dict.fromkeys(str(c) for c in filing.materials))
    promised, owed = _materials(matter, given, mode)
    if mode != "standard" and not (promised or owed):
        mode = "standard"  # nothing missing: nothing to promise or owe
    check_id, result = credit.run(
        conn, catalog, matter, code, purpose=f"{matter.name}（并联审批受理）",
        as_of=as_of, now=now, actor="public", department_id=None,
    )  # fmt: skip
    if mode != "standard":
        barred = credit.blocking(result, getattr(book.credit_gate, mode))
        if barred:
            zh, en = credit.MODE_NAMES[mode]
            raise Forbidden(
                f"申请人列入{credit.barred_text(barred)}，修复前不适用{zh}；"
                "请按一般程序提交全部材料",
                f"the applicant is on {', '.join(h['list_type'] for h in barred)}: no {en} "
                "until repaired; file with every material",
                field="mode", rule="credit_gate", lists=[h["list_type"] for h in barred],
                check_id=check_id,
            )  # fmt: skip
    query_code = secrets.token_urlsafe(24)
    number = f"BL{as_of:%Y%m%d}{secrets.token_hex(4).upper()}"
    app_id = conn.execute(
        apps.insert().values(
            number=number, code_hash=code_hash(query_code), matter=matter.code, mode=mode,
            applicant=name, applicant_code=code, project_code=pcode, materials=given,
            promised=promised, missing=owed,
            docs_due_on=add_working_days(as_of, matter.tolerance_days) if owed else None,
            state="in_review", received_on=as_of, check_id=check_id, credit=result,
            created_at=now, updated_at=now,
        ).returning(apps.c.id)
    ).scalar_one()  # fmt: skip
    for d in matter.departments:
        conn.execute(
            reviews.insert().values(
                application_id=app_id, department=d.name, due_on=add_working_days(as_of, d.days),
                state="pending", overdue=False, updated_at=now,
            )
        )  # fmt: skip
    audit.record(
        conn, actor="public", action="approval.file", target=f"approval:{number}", now=now,
        detail={"matter": matter.code, "mode": mode, "check_id": check_id},
    )  # fmt: skip
    shown = summary(conn, get(conn, int(app_id)), as_of)
    return Filed(int(app_id), number, query_code, result, shown["reviews"])


def get(conn: sa.Connection, app_id: int) -> sa.Row[Any]:
    row = None
    if 1 <= app_id <= MAX_ID:
        row = conn.execute(sa.select(apps).where(apps.c.id == app_id)).first()
    if row is None:
        raise NotFound(f"审批申请 {app_id} 不存在", f"approval application {app_id} not found")
    return row


def by_code(conn: sa.Connection, code: str) -> sa.Row[Any]:
    """The application a 查询码 opens; any unknown code → NotFound, whatever its shape."""
    wanted = code_hash(code.strip()[:100])
    row = conn.execute(sa.select(apps).where(apps.c.code_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.code_hash, wanted):
        raise NotFound("查询码无效或不存在", "unknown query code")
    return row


def review_rows(conn: sa.Connection, app_id: int) -> list[sa.Row[Any]]:
    return list(
        conn.execute(
            sa.select(reviews).where(reviews.c.application_id == app_id).order_by(reviews.c.id)
        )
    )


def review_dict(row: Any, as_of: date) -> dict[str, Any]:
    late = row.overdue or (row.state == "pending" and as_of > row.due_on)
    return {
        "id": row.id, "department": row.department, "state": row.state,
        "state_zh": REVIEW_NAMES[row.state], "due_on": row.due_on,
        "decided_on": row.decided_on, "opinion": row.opinion, "overdue": bool(late),
        "check_id": row.check_id, "credit": row.credit,
    }  # fmt: skip


def summary(conn: sa.Connection, row: Any, as_of: date) -> dict[str, Any]:
    """The application as its applicant and its reviewers see it."""
    return {
        "id": row.id, "number": row.number, "matter": row.matter, "mode": row.mode,
        "mode_zh": credit.MODE_NAMES[row.mode][0], "applicant": row.applicant,
        "applicant_code": row.applicant_code, "project_code": row.project_code,
        "materials": row.materials, "promised": row.promised, "missing": row.missing,
        "docs_due_on": row.docs_due_on, "state": row.state,
        "state_zh": STATE_NAMES[row.state][0], "received_on": row.received_on,
        "decided_on": row.decided_on, "check_id": row.check_id, "credit": row.credit,
        "reviews": [review_dict(r, as_of) for r in review_rows(conn, row.id)],
    }  # fmt: skip


def lookup(conn: sa.Connection, code: str, as_of: date) -> dict[str, Any]:
    return summary(conn, by_code(conn, code), as_of)


def supply(
    conn: sa.Connection, code: str, materials: list[str], book: Book, *, as_of: date,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """容缺受理: the applicant hands in owed materials (by 查询码) before their deadline."""
    row = by_code(conn, code)
    owed = list(row.missing or [])
    if not owed:
        raise Conflict(f"申请 {row.number} 没有待补正的材料", f"{row.number} owes no material")
    if row.docs_due_on is not None and as_of > row.docs_due_on:
        raise Conflict(
            f"补正期限 {row.docs_due_on.isoformat()} 已过，容缺受理终止，请重新申请",
            f"the deadline {row.docs_due_on.isoformat()} for owed materials has passed",
        )  # fmt: skip
    wrong = [m for m in materials if m not in owed]
    if wrong:
        raise InvalidInput(
            f"材料“{wrong[0][:50]}”不在待补正清单中；待补正：{'、'.join(owed)}",
            f"{wrong[0][:50]!r} is not owed; owed: {', '.join(owed)}",
            field="materials", valid=owed,
        )  # fmt: skip
    left = [m for m in owed if m not in materials]
    conn.execute(
        apps.update().where(apps.c.id == row.id).values(
            missing=left, materials=[*row.materials, *materials], updated_at=now
        )
    )  # fmt: skip
    audit.record(conn, actor="public", action="approval.supply", target=f"approval:{row.number}",
                 now=now, detail={"materials": materials})  # fmt: skip
    return summary(conn, get(conn, row.id), as_of)
