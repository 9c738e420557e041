"""Credit commitments (信用承诺): made, fulfilled or broken, listed publicly.

A commitment is a record of the ``commitment`` dataset; its id is the record's id. The
department that accepted it (承诺受理部门, the key's department) records it and later its outcome:
已履约 (fulfilled) or 未履约 (broken, with what was broken and the date it was found). Each is
a one-row submission through the intake store (:mod:`gongxin.workflows.submission`), so the
outcome is a correction of the same record with the earlier version kept in history, and the
provenance of every version is a submission of that department.

A broken commitment is failure information (失信信息): the visibility gate shows it to the public
like any commitment record, the public list marks it as 失信信息, and the credit check counts it
as an entry of the derived list type ``commitment_breach`` (信用承诺未履约).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.models import record_history, records, subjects
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.identity import departments
from gongxin.identity.departments import Department
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience, masked, view
from gongxin.workflows.submission import check_row, store_row

DATASET = "commitment"
ONGOING, FULFILLED, BROKEN = "履约中", "已履约", "未履约"
NEGATIVE_LABEL = "失信信息"
MAX_PAGE_SIZE = 100

# The API's names for the fields a department gives when it records a commitment.
INPUT_FIELDS = {
    "subject_name": "CN_ZTMC",
    "subject_category": "CN_ZTLB",
    "uscc": "CN_TYSHXYDM",
    "id_type": "CN_ZJLX",
    "id_number": "CN_ZJHM",
    "legal_rep": "CN_FDDBR",
    "type": "CN_CNLX",
    "matter": "CN_SX",
    "content": "CN_NR",
    "date": "CN_CNRQ",
    "valid_until": "CN_YXQZ",
    "remarks": "BZ",
}


@dataclass(frozen=True)
class Commitment:
    id: int
    version: int
    subject_name: str | None
    subject_category: str | None
    subject_code: str | None  # USCC, or the (masked, for the public) ID number
    legal_rep: str | None  # masked for the public
    type: str
    matter: str
    content: str | None
    date: date | None
    valid_until: str | None
    department: str | None
    status: str
    breach: str | None  # 未履约情况说明
    negative: bool  # a broken commitment is failure information
    updated_at: datetime | None = None

    @property
    def category_label(self) -> str:
        return NEGATIVE_LABEL if self.negative else "信用承诺"


def types(catalog: Catalog) -> list[str]:
    """The commitment types the catalog accepts (审批替代型, 容缺受理型 …)."""
    return list(catalog.get(DATASET).field("CN_CNLX").values or [])


def statuses(catalog: Catalog) -> list[str]:
    return list(catalog.get(DATASET).field("CN_LYZT").values or [])


def _of(rid: int, version: int, data: Mapping[str, Any], updated: datetime | None) -> Commitment:
    status = str(data.get("CN_LYZT") or "")
    made = data.get("CN_CNRQ")
    return Commitment(
        id=rid, version=version,
        subject_name=data.get("CN_ZTMC"), subject_category=data.get("CN_ZTLB"),
        subject_code=data.get("CN_TYSHXYDM") or data.get("CN_ZJHM"),
        legal_rep=data.get("CN_FDDBR"),
        type=str(data.get("CN_CNLX") or ""), matter=str(data.get("CN_SX") or ""),
        content=data.get("CN_NR"),
        date=date.fromisoformat(made) if isinstance(made, str) and made else None,
        valid_until=data.get("CN_YXQZ"), department=data.get("CN_SLBM"),
        status=status, breach=data.get("CN_WYQK"), negative=status == BROKEN,
        updated_at=updated,
    )  # fmt: skip


def _actor_may_decide(department: Department, data: Mapping[str, Any]) -> bool:
    return department.kind == "centre" or (
        department.code is not None and data.get("CN_SLBMDM") == department.code
    )


def make(
    conn: sa.Connection,
    catalog: Catalog,
    department: Department,
    fields: Mapping[str, Any],
    *,
    now: datetime,
    actor: str,
) -> Commitment:
    """Record a commitment accepted by ``department``; its status starts as 履约中.

    ``fields`` uses the names of :data:`INPUT_FIELDS`. The same commitment (subject, type,
    matter, date, department) recorded twice is a Conflict naming the existing one.
    """
    unknown = sorted(set(fields) - set(INPUT_FIELDS))
    if unknown:
        raise InvalidInput(
            f"未知的字段：{'、'.join(unknown)}；可用字段：{'、'.join(INPUT_FIELDS)}",
            f"unknown fields {', '.join(unknown)}; known: {', '.join(INPUT_FIELDS)}",
            fields=unknown,
        )
    if not department.code:
        raise InvalidInput(
            f"部门“{department.name}”未登记统一社会信用代码，不能作为承诺受理部门；请先补登部门代码",
            f"department {department.name!r} has no USCC on record and cannot accept "
            "commitments; register its code first",
        )
    spec = catalog.get(DATASET)
    values = {INPUT_FIELDS[k]: v for k, v in fields.items()}
    values |= {"CN_SLBM": department.name, "CN_SLBMDM": department.code, "CN_LYZT": ONGOING}
    pending = check_row(catalog, spec, values, now)
    existing = conn.execute(
        sa.select(records.c.id).where(
            records.c.dataset == DATASET,
            records.c.dedupe_key == pending.key,
            records.c.department_id == department.id,
        )
    ).scalar()
    if existing is not None:
        raise Conflict(
            f"该承诺已登记（编号 {existing}）：同一主体、承诺类型、事项、日期和受理部门只登记一次",
            f"this commitment is already recorded as {existing}",
            commitment_id=int(existing),
        )
    stored = store_row(conn, spec, pending, department, now=now, label="信用承诺登记（接口）")
    audit.record(
        conn, actor=actor, action="commitment.make", target=f"commitment:{stored.record_id}",
        now=now, department_id=department.id,
        detail={"submission": stored.submission_id, "type": values.get("CN_CNLX"),
                "matter": values.get("CN_SX")},
    )  # fmt: skip
    return get(conn, catalog, stored.record_id, audience=Audience.CENTRE, as_of=local_date(now))


def record_outcome(
    conn: sa.Connection,
    catalog: Catalog,
    department: Department,
    commitment_id: int,
    status: str,
    *,
    now: datetime,
    actor: str,
    details: str | None = None,
    found_on: date | None = None,
) -> Commitment:
    """Record that a commitment was fulfilled (已履约) or broken (未履约).

    Only the accepting department (or the credit centre) may, and only while the commitment is
    履约中. A breach needs ``details`` (what was not done, the outcome) and the date it was
    found (default: today), which go into 未履约情况说明.
    """
    today = local_date(now)
    if status not in (FULFILLED, BROKEN):
        raise InvalidInput(
            f"履约结果“{status[:20]}”无效：只能是 {FULFILLED} 或 {BROKEN}",
            f"outcome {status[:20]!r} is invalid: {FULFILLED} (fulfilled) or {BROKEN} (broken)",
            field="status", value=status[:20],
        )  # fmt: skip
    row = _record(conn, commitment_id)
    data = dict(row["data"])
    if not _actor_may_decide(department, data):
        raise Forbidden(
            f"承诺 {commitment_id} 由“{data.get('CN_SLBM')}”受理，只有受理部门可以登记履约结果",
            f"commitment {commitment_id} was accepted by another department; only it may "
            "record the outcome",
        )
    current = data.get("CN_LYZT")
    if current != ONGOING:
        raise Conflict(
            f"承诺 {commitment_id} 的履约状态已是“{current}”，不能再登记为“{status}”",
            f"commitment {commitment_id} is already {current}; its outcome cannot change",
            status=current,
        )
    data["CN_LYZT"] = status
    if status == BROKEN:
        text = (details or "").strip()
        if not text:
            raise InvalidInput(
                "登记未履约时须写明未履约情况（未履行的承诺内容和处理结果）",
                "a breach needs its details: what was not done and the outcome",
                field="details",
            )
        when = found_on or today
        made = data.get("CN_CNRQ")
        if when > today or (isinstance(made, str) and when.isoformat() < made):
            raise InvalidInput(
                f"核查日期 {when.isoformat()} 须在承诺日期 {made} 与今天 {today.isoformat()} 之间",
                f"the date found {when.isoformat()} must lie between the commitment date and today",
                field="found_on", value=when.isoformat(),
            )  # fmt: skip
        data["CN_WYQK"] = f"{text}（核查日期：{when.isoformat()}）"
    spec = catalog.get(DATASET)
    pending = check_row(catalog, spec, _raw(spec, data), now)
    if pending.key != row["dedupe_key"]:  # the identifying fields are not touched
        raise Conflict("承诺的识别字段不一致", "the commitment's key fields changed")
    label = f"信用承诺履约结果：{status}（接口）"
    # The record stays its accepting department's, also when the centre acts in its stead.
    owner = departments.by_id(conn, row["department_id"])
    stored = store_row(conn, spec, pending, department, now=now, label=label, owner=owner)
    audit.record(
        conn, actor=actor, action="commitment.outcome", target=f"commitment:{commitment_id}",
        now=now, department_id=department.id,
        detail={"submission": stored.submission_id, "from": current, "to": status,
                "details": data.get("CN_WYQK")},
    )  # fmt: skip
    return get(conn, catalog, commitment_id, audience=Audience.CENTRE, as_of=today)


def _raw(spec: DatasetSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record back as input values (dates as written, 长期 as 2099-12-31)."""
    return {f.code: data.get(f.code) for f in spec.fields}


def _record(conn: sa.Connection, commitment_id: int) -> sa.RowMapping:
    row = conn.execute(
        sa.select(records.c.id, records.c.version, records.c.data, records.c.dedupe_key,
                  records.c.updated_at, records.c.department_id)
        .where(records.c.id == commitment_id, records.c.dataset == DATASET)
    ).mappings().first()  # fmt: skip
    if row is None:
        raise NotFound(f"没有编号为 {commitment_id} 的信用承诺", f"no commitment {commitment_id}")
    return row


def get(
    conn: sa.Connection, catalog: Catalog, commitment_id: int, *, audience: Audience, as_of: date
) -> Commitment:
    """One commitment as ``audience`` may see it; one it may not is reported as not found."""
    row = _record(conn, commitment_id)
    shown = view(catalog.get(DATASET), row["data"], audience, as_of)
    if shown is None:
        raise NotFound(f"没有编号为 {commitment_id} 的信用承诺", f"no commitment {commitment_id}")
    return _of(row["id"], row["version"], shown, row["updated_at"])


def history(
    conn: sa.Connection, catalog: Catalog, commitment_id: int, *, audience: Audience, as_of: date
) -> list[Commitment]:
    """Every version of a commitment, oldest first, the current one last."""
    current = get(conn, catalog, commitment_id, audience=audience, as_of=as_of)
    spec = catalog.get(DATASET)
    earlier = conn.execute(
        sa.select(record_history.c.version, record_history.c.data, record_history.c.replaced_at)
        .where(record_history.c.record_id == commitment_id)
        .order_by(record_history.c.version)
    ).all()  # fmt: skip
    out = []
    for version, data, _replaced in earlier:
        shown = view(spec, data, audience, as_of)
        if shown is not None:
            out.append(_of(commitment_id, version, shown, None))
    return [*out, current]


@dataclass(frozen=True)
class Page:
    page: int
    size: int
    items: list[Commitment]
    has_more: bool


def listing(
    conn: sa.Connection,
    catalog: Catalog,
    *,
    audience: Audience,
    as_of: date,
    page: int = 1,
    size: int = 20,
    type: str | None = None,
    status: str | None = None,
    subject: str | None = None,
) -> Page:
    """Commitments newest first, as ``audience`` may see them; filters by type, status and
    subject (a USCC or registration number)."""
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1 and size is 1 to {MAX_PAGE_SIZE}",
        )
    for name, value, allowed in (
        ("type", type, types(catalog)),
        ("status", status, statuses(catalog)),
    ):
        if value and value not in allowed:
            raise InvalidInput(
                f"参数 {name} 的值“{value[:20]}”无效；可选：{'、'.join(allowed)}",
                f"{name} {value[:20]!r} is invalid; allowed: {', '.join(allowed)}",
                field=name, value=value[:20], allowed=allowed,
            )  # fmt: skip
    data = records.c.data
    query = (
        sa.select(records.c.id, records.c.version, data, records.c.updated_at)
        .where(records.c.dataset == DATASET, records.c.event_date <= as_of)
        .where(visible_now(audience, as_of))  # the stored decision: paged in SQL
        .order_by(records.c.event_date.desc(), records.c.id.desc())
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    if type:
        query = query.where(data["CN_CNLX"].as_string() == type)
    if status:
        query = query.where(data["CN_LYZT"].as_string() == status)
    if subject:
        from gongxin.subjects.profile import find

        query = query.where(records.c.subject_id == find(conn, subject)["id"])
    spec = catalog.get(DATASET)
    rows = conn.execute(query).fetchall()
    items = [
        _of(rid, version, masked(spec, values, audience), updated)
        for rid, version, values, updated in rows[:size]
    ]
    return Page(page, size, items, len(rows) > size)


def subject_of(conn: sa.Connection, commitment_id: int) -> str | None:
    """The USCC (or registration number) of the subject a commitment is linked to."""
    return conn.execute(
        sa.select(sa.func.coalesce(subjects.c.uscc, subjects.c.reg_no))
        .select_from(records.join(subjects, subjects.c.id == records.c.subject_id))
        .where(records.c.id == commitment_id)
    ).scalar()
