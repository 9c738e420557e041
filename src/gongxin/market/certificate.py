"""Certificates of industry credit evaluation (信用等级证书): their number and their issue.

The number has 15 digits (shared/domain/industry_evaluation.md §2.1): ``YYYY`` evaluation year
+ ``AAA`` association code + ``GGG`` grade code + ``NNNNN`` company serial, e.g. 中国电力企业联合会
(001) awarding AA (011) in 2007 to serial 00035 → ``200700101100035``. Serials are given per
evaluator and year, in the order results are published.

A certificate is valid ``validity_years`` (3) from its date (the last day is the day before the
anniversary) and has ``annual_reviews`` (2) reviews, on the first and second anniversaries,
their papers due ``review_lead_months`` (3) before (certificate_status.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.rating_tables import rating_entries, rating_reviews, rating_rounds
from gongxin.errors import Conflict, InvalidInput
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_rules import Rules, add_months, add_years

MAX_SERIAL = 99_999


@dataclass(frozen=True)
class Number:
    year: int
    association: str
    grade_code: str
    serial: int


def number(year: int, association: str, grade_code: str, serial: int) -> str:
    """The 15-digit certificate number.

    >>> number(2007, "001", "011", 35)
    '200700101100035'
    """
    if not (
        1000 <= year <= 9999
        and re.fullmatch(r"\d{3}", association)
        and re.fullmatch(r"\d{3}", grade_code)
        and 1 <= serial <= MAX_SERIAL
    ):
        raise InvalidInput(
            f"证书编号的组成部分无效：年度 {year}、协会代码 {association}、等级代码 {grade_code}、"
            f"序号 {serial}",
            f"invalid certificate number parts: {year}, {association}, {grade_code}, {serial}",
        )
    return f"{year:04d}{association}{grade_code}{serial:05d}"


def parse(text: str, rules: Rules) -> Number:
    """A certificate number's parts; refused (naming the rule) when it is not 15 digits or its
    grade code is none of the scheme's.

    >>> from gongxin.market.evaluation_rules import rules
    >>> parse("200700101100035", rules())
    Number(year=2007, association='001', grade_code='011', serial=35)
    """
    value = (text or "").strip()
    if not re.fullmatch(r"\d{15}", value):
        raise InvalidInput(
            f"证书编号“{value[:20]}”无效：须为 15 位数字"
            "（年度4位+协会代码3位+等级代码3位+序号5位）",
            f"certificate number {value[:20]!r} must be 15 digits "
            "(year 4 + association 3 + grade code 3 + serial 5)",
            field="certificate_no",
            value=value[:20],
            rule="certificate_number",
        )
    codes = {g.code for g in rules.grades.values()}
    if value[7:10] not in codes:
        raise InvalidInput(
            f"证书编号“{value}”的等级代码 {value[7:10]} 不是任何信用等级的代码",
            f"certificate number {value}: grade code {value[7:10]} is no grade's code",
            field="certificate_no",
            value=value,
            rule="grade_code",
        )
    if int(value[10:]) < 1:
        raise InvalidInput(
            f"证书编号“{value}”的企业序号不能为 00000",
            f"certificate number {value}: serial 00000",
            field="certificate_no",
        )
    return Number(int(value[:4]), value[4:7], value[7:10], int(value[10:]))


def next_serial(conn: sa.Connection, evaluator_id: int, year: int) -> int:
    """The next company serial of an evaluator in a year."""
    top = conn.execute(
        sa.select(sa.func.max(rating_entries.c.serial))
        .join(rating_rounds, rating_rounds.c.id == rating_entries.c.round_id)
        .where(rating_rounds.c.evaluator_id == evaluator_id, rating_rounds.c.year == year)
    ).scalar()
    serial = int(top or 0) + 1
    if serial > MAX_SERIAL:
        raise Conflict(
            f"{year} 年度的企业序号已用尽（最多 {MAX_SERIAL}）",
            f"the serials of {year} are used up",
        )
    return serial


def valid_until(issued_on: date, rules: Rules) -> date:
    """The last day of validity: the day before the ``validity_years``-th anniversary.

    >>> from gongxin.market.evaluation_rules import rules
    >>> valid_until(date(2026, 8, 1), rules())
    datetime.date(2029, 7, 31)
    """
    return add_years(issued_on, rules.validity_years) - timedelta(days=1)


def issue(
    conn: sa.Connection,
    catalog: Catalog,
    rules: Rules,
    entry: Any,
    rnd: Any,
    org: evaluators.Evaluator,
    *,
    as_of: date,
    now: datetime,
) -> str:
    """The result stands: number the certificate, set its validity and annual reviews and make
    the public record 有效 until the end of validity. Returns the certificate number."""
    from gongxin.market.evaluation_publicity import record_values, write_record

    serial = next_serial(conn, org.id, rnd.year)
    cert_no = number(rnd.year, org.code, entry.grade_code, serial)
    until = valid_until(as_of, rules)
    conn.execute(
        rating_entries.update()
        .where(rating_entries.c.id == entry.id)
        .values(
            state="awarded",
            serial=serial,
            certificate_no=cert_no,
            issued_on=as_of,
            valid_until=until,
            updated_at=now,
        )
    )
    for n in range(1, rules.annual_reviews + 1):
        due = add_years(as_of, n)
        conn.execute(
            rating_reviews.insert().values(
                entry_id=entry.id,
                number=n,
                due_on=due,
                papers_due_on=add_months(due, -rules.review_lead_months),
            )
        )
    values = record_values(
        entry,
        rnd,
        org,
        PJ_JGZT="有效",
        PJ_ZSBH=cert_no,
        PJ_FZRQ=as_of.isoformat(),
        PJ_YXQZ=until.isoformat(),
    )
    write_record(conn, catalog, org, values, now=now, label=f"rating-certificate-{cert_no}")
    return cert_no


def find(conn: sa.Connection, cert_no: str) -> sa.Row[Any] | None:
    """The entry holding a certificate number (current or replaced by a downgrade: None)."""
    value = (cert_no or "").strip()
    if not re.fullmatch(r"\d{15}", value):
        return None
    return conn.execute(
        sa.select(rating_entries).where(rating_entries.c.certificate_no == value)
    ).first()
