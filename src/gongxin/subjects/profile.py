"""A subject's profile: found by its code, shown through the visibility gate (its decision
stored with each record, filtered in SQL; personal data masked on output)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, subjects
from gongxin.errors import InvalidInput, NotFound
from gongxin.ids.classify import subject_key
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience, mark, masked
from gongxin.records.masks import mask_person_name, mask_subject_name


def parse_code(code: str) -> tuple[str, str]:
    """A subject key from a URL or form: (``uscc`` | ``reg_no``, compacted code)."""
    try:
        return subject_key(code)
    except InvalidIdentifier as exc:
        raise InvalidInput(
            f"代码格式有误：{exc.zh}（依据 {exc.rule}）",
            f"malformed code: {exc.en} (rule {exc.rule})",
            rule=exc.rule,
        ) from exc


def find(conn: sa.Connection, code: str) -> sa.RowMapping:
    kind, compact = parse_code(code)
    column = subjects.c.uscc if kind == "uscc" else subjects.c.reg_no
    row = conn.execute(sa.select(subjects).where(column == compact)).mappings().first()
    if row is None:
        raise NotFound(
            f"未找到代码为 {compact} 的主体；请核对代码，或按名称查询",
            f"no subject with code {compact}; check the code or search by name",
        )
    return row


def known(conn: sa.Connection, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` (as written) open a profile: a subject registered under that USCC or
    registration number. A list links a name to its profile only then — a record waiting to be
    linked names a code the register does not hold yet. Malformed codes are simply not known."""
    wanted: dict[str, dict[str, set[str]]] = {"uscc": {}, "reg_no": {}}
    for code in codes:
        try:
            kind, compact = subject_key(code)
        except InvalidIdentifier:
            continue
        wanted[kind].setdefault(compact, set()).add(code)
    found: set[str] = set()
    for kind, column in (("uscc", subjects.c.uscc), ("reg_no", subjects.c.reg_no)):
        if wanted[kind]:
            for (value,) in conn.execute(sa.select(column).where(column.in_(wanted[kind]))):
                found |= wanted[kind][value]
    return found


@dataclass(frozen=True)
class Profile:
    uscc: str | None
    reg_no: str | None
    name: str
    entity_type: str | None
    legal_rep: str | None
    capital: str | None
    capital_unit: str | None
    reg_date: date | None
    province: str | None
    region: str | None
    address: str | None
    business_scope: str | None
    record_counts: dict[str, int]  # visible records by dataset
    reg_status: str | None = None  # 登记状态
    reg_authority: str | None = None  # 登记机关
    term_end: date | None = None  # 营业期限至 (2099-12-31 and later: 长期)


def profile(
    conn: sa.Connection, catalog: Catalog, code: str, *, audience: Audience, as_of: date
) -> Profile:
    row = find(conn, code)
    counts: dict[str, int] = {
        dataset: int(n)
        for dataset, n in conn.execute(
            sa.select(records.c.dataset, sa.func.count())
            .where(records.c.subject_id == row["id"], records.c.dataset.in_(catalog.codes()))
            .where(visible_now(audience, as_of))
            .group_by(records.c.dataset)
            .order_by(records.c.dataset)
        )
    }
    legal_rep, name = row["legal_rep"], row["name"]
    if audience is Audience.PUBLIC:
        name = mask_subject_name(name, row["entity_type"], [legal_rep])
        legal_rep = mask_person_name(legal_rep) if legal_rep else legal_rep
    capital = row["capital"]
    return Profile(
        row["uscc"], row["reg_no"], name, row["entity_type"], legal_rep,
        None if capital is None else format(capital.normalize(), "f"), row["capital_unit"],
        row["reg_date"], row["province"], row["region"], row["address"],
        row["business_scope"], counts, row["reg_status"], row["reg_authority"], row["term_end"],
    )  # fmt: skip


def visible_records(
    conn: sa.Connection,
    catalog: Catalog,
    code: str,
    *,
    audience: Audience,
    as_of: date,
    dataset: str | None = None,
) -> list[dict[str, Any]]:
    """The subject's records the audience may see on ``as_of``, newest first, each as
    ``{"id", "dataset", "event_date", "data", "mark"}`` with its data masked as the gate says
    and ``mark`` the workflow's status (异议处理中 …, :func:`gate.mark`) or None."""
    if dataset is not None:
        catalog.get(dataset)  # unknown dataset → 404 with the known ones
    row = find(conn, code)
    query = (
        sa.select(records.c.id, records.c.dataset, records.c.event_date, records.c.data)
        .where(records.c.subject_id == row["id"], records.c.dataset.in_(catalog.codes()))
        .where(visible_now(audience, as_of))
    )
    if dataset is not None:
        query = query.where(records.c.dataset == dataset)
    return [
        {"id": rid, "dataset": ds, "event_date": event,
         "data": masked(catalog.get(ds), data, audience), "mark": mark(data)}
        for rid, ds, event, data in conn.execute(
            query.order_by(records.c.event_date.desc(), records.c.id)
        )
    ]  # fmt: skip
