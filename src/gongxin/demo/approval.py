"""Demo parallel approvals (并联审批): applications for each packaged matter, filed and decided
through the approval services as applicants and departments would — approved by every
department, refused by one, still in review (one department overdue), 容缺受理 with materials
owed, 告知承诺 granted, and 告知承诺 refused to a seriously dishonest applicant (who then files
the standard way). The matters' departments are registered when missing. Runs once: a store
that already holds approval applications is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from gongxin import clock
from gongxin.approval import applications, reviews
from gongxin.approval.applications import Filing
from gongxin.approval.matters import Book
from gongxin.catalog.registry import Catalog
from gongxin.db.approval_tables import approval_applications
from gongxin.db.models import records, subjects
from gongxin.errors import Forbidden
from gongxin.identity import departments
from gongxin.sanctions import lists
from gongxin.sanctions.lists import applies_now

# (matter, days before today it was filed, mode, decisions: one per department in matter order,
# each (outcome, days after filing) or None for still pending)
PLAN: list[tuple[str, int, str, list[tuple[str, int] | None]]] = [
    ("construction_permit", 30, "standard", [("approved", 5), ("approved", 3), ("approved", 4)]),
    ("construction_permit", 25, "promise", [("approved", 4), ("approved", 2), ("approved", 6)]),
    ("construction_permit", 12, "standard", [("approved", 12), ("refused", 4), ("approved", 3)]),
    ("construction_permit", 14, "standard", [None, ("approved", 2), None]),  # one overdue
    ("investment_approval", 40, "standard", [("approved", 12), ("approved", 8), ("approved", 9)]),
    ("investment_approval", 3, "tolerance", [None, None, None]),
    ("food_business_licence", 20, "promise", [("approved", 3), ("approved", 5)]),
    ("food_business_licence", 9, "standard", [("approved", 6), None]),
    ("food_business_licence", 2, "standard", [None, None]),
]
OPINIONS = {"approved": "经审查，申请材料齐全，符合法定条件，同意。",
            "refused": "经现场核查，与申请材料不符，不同意。"}  # fmt: skip


def _applicants(
    conn: sa.Connection, catalog: Catalog, n: int, today: date
) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    rows = conn.execute(
        sa.select(subjects.c.uscc, subjects.c.name).where(subjects.c.uscc.like("91%"))
        .order_by(subjects.c.id.desc()).limit(n)
    ).all()  # fmt: skip
    listed = conn.execute(
        sa.select(subjects.c.uscc, subjects.c.name)
        .join(records, records.c.subject_id == subjects.c.id)
        .where(applies_now(lists.get(catalog, "serious_dishonest_list"), today),
               subjects.c.uscc.like("91%"))
        .order_by(subjects.c.id).limit(1)
    ).first()  # fmt: skip
    return [(str(c), str(m)) for c, m in rows], (str(listed[0]), str(listed[1])) if listed else None


def _materials(book: Book, matter: str, mode: str) -> list[str]:
    m = book.get(matter)
    if mode == "promise":
        return [x.code for x in m.materials if not x.promise]
    if mode == "tolerance":
        return [x.code for x in m.materials if x.main]
    return [x.code for x in m.materials]


def _project(day: date, n: int) -> str:
    return f"{day.year}-110108-47-01-{n:05d}{n % 10}"


def run(engine: sa.Engine, catalog: Catalog, book: Book, *, now: datetime) -> list[str]:
    """File and decide the plan's applications; the numbers made, in order."""
    today = clock.local_date(now)
    with engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(approval_applications)).scalar():
            return []
        known = {d.name for d in departments.all_departments(conn)}
        for name in book.departments():
            if name not in known:
                departments.add(conn, name, kind="user", code=None, now=now)
        people, listed = _applicants(conn, catalog, len(PLAN), today)
    if len(people) < len(PLAN):
        return []
    made = []
    for n, ((matter, back, mode, decisions), (code, name)) in enumerate(
        zip(PLAN, people, strict=False), 1
    ):
        made.append(
            _one(engine, catalog, book, matter, back, mode, decisions, code, name, n, today)
        )
    if listed is not None:  # 告知承诺 refused by the credit gate; the standard way instead
        try:
            made.append(_one(engine, catalog, book, "food_business_licence", 4, "promise",
                             [None, None], *listed, 99, today))  # fmt: skip
        except Forbidden:
            made.append(_one(engine, catalog, book, "food_business_licence", 4, "standard",
                             [("approved", 2), None], *listed, 99, today))  # fmt: skip
    return made


def _one(
    engine: sa.Engine, catalog: Catalog, book: Book, matter: str, back: int, mode: str,
    decisions: list[tuple[str, int] | None], code: str, name: str, n: int, today: date,
) -> str:  # fmt: skip
    filed_on = today - timedelta(days=back)
    at = datetime.combine(filed_on, time(10), clock.CHINA_TZ)
    filing = Filing(matter, name, code, _materials(book, matter, mode), mode,
                    _project(filed_on, n) if book.get(matter).project_code else None)  # fmt: skip
    with engine.begin() as conn:
        filed = applications.file(conn, catalog, book, filing, as_of=filed_on, now=at)
    by_dept = {r["department"]: r["id"] for r in filed.reviews}
    owed = mode == "tolerance"
    for dept, decision in zip(
        [d.name for d in book.get(matter).departments], decisions, strict=False
    ):
        if decision is None or owed:
            continue
        outcome, after = decision
        day = min(filed_on + timedelta(days=after), today)
        with engine.begin() as conn:
            reviews.decide(
                conn, catalog, book, by_dept[dept], outcome, OPINIONS[outcome], department=dept,
                actor=f"demo:{dept}", department_id=None, as_of=day,
                now=datetime.combine(day, time(15), clock.CHINA_TZ),
            )  # fmt: skip
    return filed.number
