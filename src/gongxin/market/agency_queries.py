"""A credit agency's query about one subject (社会化征信): checked, answered, logged, audited.

In order: the agency must be active (403 with the centre's reason once suspended); the query
names its staff member (征信业管理条例 art 22) and a known purpose; the agency's daily quota
must not be used up (429 with the seconds until the next China day); a natural person needs
an agency kind allowed to query persons and an authorisation record of that person for this
purpose, valid today (403 naming what is missing). Then the subject's records the public may
read (社会公开 only: never 政务共享 data), masked as for the public, without the negative
information (``negative_datasets``) whose event date is older than the configured years.

Every query, refused or served, is written to ``agency_queries`` and to the audit log, in the
transaction the caller commits; a refusal is returned (``Answer.refusal``), not raised, so that
the caller commits the log first and then raises it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.clock import CHINA_TZ, local_date
from gongxin.db.market_access_tables import agency_authorisations, agency_queries
from gongxin.db.models import records
from gongxin.errors import Forbidden, GongxinError, InvalidInput, NotFound, RateLimited
from gongxin.ids.classify import classify
from gongxin.ids.normalise import normalise
from gongxin.market.agencies import Agency, Rules, person_key
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience, masked
from gongxin.records.masks import mask_subject_name
from gongxin.sanctions.quota import seconds_to_next_day
from gongxin.subjects import profile


@dataclass(frozen=True)
class Query:
    subject: str  # a USCC, a registration number, or a resident ID number
    purpose: str
    staff: str
    authorisation: str | None = None  # the reference of the person's authorisation


@dataclass
class Answer:
    query_id: int
    subject_kind: str  # org | person
    subject_code: str  # the code asked (a person's number masked)
    name: str | None
    purpose: str
    as_of: date
    records: list[dict[str, Any]] = field(default_factory=list)
    withheld_negative: int = 0
    used_today: int = 0
    quota_per_day: int = 0
    refusal: GongxinError | None = None


def _mask_id(code: str) -> str:
    return code[:6] + "********" + code[-4:]


def used_today(conn: sa.Connection, agency: Agency, now: datetime) -> int:
    """Queries served to the agency since the start of the China day of ``now``."""
    day = local_date(now)
    start = datetime.combine(day, datetime.min.time(), CHINA_TZ)
    found = conn.execute(
        sa.select(sa.func.count()).where(
            agency_queries.c.agency_id == agency.id,
            agency_queries.c.queried_at >= start,
            agency_queries.c.outcome == "served",
        )
    ).scalar_one()
    return int(found)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check(q: Query, rule: Rules) -> tuple[str, str]:
    """(kind, normalised code) of a well-formed query; 400 naming the field otherwise."""
    staff = q.staff.strip()
    if not staff or len(staff) > 100:
        raise InvalidInput(
            "请填写查询人员（staff，不超过 100 字；征信业管理条例第二十二条）",
            "staff is required (at most 100 characters)", field="staff",
        )  # fmt: skip
    rule.purpose(q.purpose)
    code = normalise(q.subject or "")
    kind = classify(code) if 0 < len(code) <= 40 else None
    if kind in ("uscc", "reg_no"):
        return "org", code
    if kind == "resident_id":
        return "person", code
    raise InvalidInput(
        f"查询对象（subject）应为统一社会信用代码、注册号或公民身份号码：{(q.subject or '')[:20]}",
        f"subject must be a USCC, a registration number or a resident ID number: "
        f"{(q.subject or '')[:20]}",
        field="subject",
    )


def run(
    conn: sa.Connection,
    catalog: Catalog,
    agency: Agency,
    q: Query,
    *,
    rule: Rules,
    match_key: str,
    negative_years: int,
    now: datetime,
    key_prefix: str | None,
) -> Answer:
    """Answer (or refuse) the query; log and audit it. Bad input raises 400 unlogged."""
    kind, code = _check(q, rule)
    as_of = local_date(now)
    ref = code if kind == "org" else person_key(code, match_key)
    shown = code if kind == "org" else _mask_id(code)
    answer = Answer(0, kind, shown, None, q.purpose, as_of, quota_per_day=agency.quota_per_day)
    answer.used_today = used_today(conn, agency, now)
    auth_id: int | None = None
    refusal: GongxinError | None = None
    if not agency.active:
        refusal = Forbidden(
            f"征信机构“{agency.name}”已被信用中心暂停查询：{agency.status_reason}",
            f"the agency is suspended by the credit centre: {agency.status_reason}",
            reason="suspended",
        )  # fmt: skip
    elif answer.used_today >= agency.quota_per_day:
        wait = seconds_to_next_day(now)
        refusal = RateLimited(
            f"今日查询已达配额 {agency.quota_per_day} 次，北京时间次日零时恢复",
            f"the daily quota of {agency.quota_per_day} queries is used up; it renews at "
            "midnight Beijing time",
            wait, reason="quota",
        )  # fmt: skip
    elif kind == "person":
        auth_id, refusal = _authorised(conn, agency, q, ref, rule, as_of)
    if refusal is None:
        try:
            _serve(conn, catalog, answer, kind, code, rule, negative_years)
        except NotFound as exc:
            refusal = exc
    status = _outcome(refusal)
    answer.refusal = refusal
    answer.query_id = int(
        conn.execute(
            agency_queries.insert()
            .values(
                agency_id=agency.id, queried_at=now, key_prefix=key_prefix,
                staff=q.staff.strip(), subject_kind=kind, subject_ref=ref, purpose=q.purpose,
                authorisation_id=auth_id, outcome=status,
                reason=None if refusal is None else refusal.zh[:300],
                records_served=len(answer.records), records_withheld=answer.withheld_negative,
            )
            .returning(agency_queries.c.id)
        ).scalar_one()
    )  # fmt: skip
    if refusal is None:
        answer.used_today += 1
    audit.record(
        conn, actor=f"key:{key_prefix}" if key_prefix else "cli", action="agency.query",
        target=f"agency_query:{answer.query_id}", now=now, department_id=agency.department_id,
        purpose=q.purpose,
        detail={"subject_kind": kind, "subject": ref, "outcome": status,
                "records": len(answer.records), "withheld": answer.withheld_negative},
    )  # fmt: skip
    return answer


def _outcome(refusal: GongxinError | None) -> str:
    """The log's word for how the query ended."""
    if refusal is None:
        return "served"
    if isinstance(refusal, NotFound):
        return "not_found"
    reason = refusal.details.get("reason")
    return {"suspended": "suspended", "quota": "over_quota"}.get(str(reason), "refused")


def _authorised(
    conn: sa.Connection, agency: Agency, q: Query, ref: str, rule: Rules, as_of: date
) -> tuple[int | None, GongxinError | None]:
    """The authorisation id that allows this person query, or the refusal saying why not."""
    if agency.kind not in rule.person_query_kinds:
        return None, Forbidden(
            f"{rule.kinds.get(agency.kind, agency.kind)}不能查询自然人信息（须为个人征信机构）",
            "this kind of agency may not query natural persons (a personal credit agency may)",
            reason="kind",
        )  # fmt: skip
    reference = (q.authorisation or "").strip()
    if not reference:
        return None, Forbidden(
            "查询自然人须提供本人书面授权记录（authorisation：授权书编号），征信业管理条例第十八条",
            "a query about a natural person needs the person's authorisation (its reference)",
            reason="no_authorisation",
        )  # fmt: skip
    row = conn.execute(
        sa.select(agency_authorisations).where(
            agency_authorisations.c.agency_id == agency.id,
            agency_authorisations.c.reference == reference[:100],
        )
    ).first()
    why: tuple[str, str] | None = None
    if row is None or row.person_key != ref:
        why = (
            f"未找到本机构为该自然人登记的授权书 {reference[:40]}",
            f"no authorisation {reference[:40]!r} of this person is recorded for the agency",
        )
    elif row.revoked_at is not None:
        why = (f"授权书 {reference[:40]} 已撤回", f"authorisation {reference[:40]!r} was withdrawn")
    elif row.purpose != q.purpose:
        why = (
            f"授权用途为“{rule.purposes.get(row.purpose, row.purpose)}”，与本次查询用途不符",
            f"the authorisation is for {row.purpose!r}, not {q.purpose!r}",
        )
    elif not row.valid_from <= as_of <= row.valid_until:
        why = (
            f"授权书有效期为 {row.valid_from} 至 {row.valid_until}，今日不在其内",
            f"the authorisation is valid {row.valid_from} to {row.valid_until}, not today",
        )
    if why is not None:
        return None, Forbidden(*why, reason="authorisation")
    return int(row.id), None  # type: ignore[union-attr]


def _serve(
    conn: sa.Connection,
    catalog: Catalog,
    answer: Answer,
    kind: str,
    code: str,
    rule: Rules,
    negative_years: int,
) -> None:
    query = sa.select(records.c.dataset, records.c.event_date, records.c.data).where(
        records.c.dataset.in_(catalog.codes()), visible_now(Audience.PUBLIC, answer.as_of)
    )
    if kind == "org":
        row = profile.find(conn, code)
        answer.name = mask_subject_name(row["name"], row["entity_type"], [row["legal_rep"]])
        query = query.where(records.c.subject_id == row["id"])
    else:
        query = query.where(records.c.link_kind == "person", records.c.link_code == code)
    oldest = _years_before(answer.as_of, negative_years)
    negative = set(rule.negative_datasets)
    for dataset, event, data in conn.execute(query.order_by(records.c.event_date.desc())):
        if dataset in negative and (event is None or event < oldest):
            answer.withheld_negative += 1
            continue
        spec = catalog.get(dataset)
        answer.records.append(
            {"dataset": dataset, "dataset_name": spec.name, "event_date": event,
             "data": masked(spec, data, Audience.PUBLIC)}
        )  # fmt: skip


def new_reference() -> str:
    """A random authorisation reference, for demos and tests."""
    return f"SQ{secrets.token_hex(5).upper()}"
