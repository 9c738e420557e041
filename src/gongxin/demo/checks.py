"""Demo credit checks with feedback, so the check log and its statistics are not empty.

Departments of the demo check a few listed and a few clean subjects in their scenes, through
the check service, and report feedback on most measures through the feedback service (most
applied, some not, with a reason; a few checks left awaiting feedback). Runs once: a store
that already holds checks is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.models import records, subjects
from gongxin.db.sanctions_tables import checks
from gongxin.identity import departments
from gongxin.sanctions import check, feedback
from gongxin.sanctions.lists import applies_now, list_types

# (department, scene, purpose) of the demo checks, in turn
RUNS = (
    ("市财政局", "gov_procurement", "政府采购供应商资格审查"),
    ("市政务服务管理局", "commitment_acceptance", "告知承诺制审批前核查"),
    ("市政务服务管理局", "licensing", "食品经营许可审批"),
    ("市市场监督管理局", "supervision", "“双随机、一公开”抽查对象确定"),
    ("市财政局", "fiscal_subsidy", "中小企业发展专项资金申报审核"),
    ("市财政局", "bidding", "政府投资项目招标资格审查"),
)
REASONS = (
    "业务已于核查前办结，措施无法补采",
    "经核实主体已完成信用修复，不再适用",
    "该措施为参考性措施，结合其他材料审慎处理后予以办理",
)
CHECKS = 18
ACTOR = "cli"


def _codes(conn: sa.Connection, catalog: Catalog, as_of: date) -> tuple[list[str], list[str]]:
    """USCCs of subjects on a list on ``as_of``, and of subjects on none, both sorted."""
    types = list(list_types(catalog).values())
    datasets = sorted({lt.dataset for lt in types})
    linked = (
        sa.select(subjects.c.uscc)
        .join(records, records.c.subject_id == subjects.c.id)
        .where(subjects.c.uscc.is_not(None))
    )
    anywhere = set(conn.execute(linked.where(records.c.dataset.in_(datasets))).scalars())
    listed = set(
        conn.execute(linked.where(sa.or_(*(applies_now(lt, as_of) for lt in types)))).scalars()
    )
    some = conn.execute(
        sa.select(subjects.c.uscc).where(subjects.c.uscc.is_not(None)).order_by(subjects.c.id)
        .limit(400)
    ).scalars()  # fmt: skip
    clean = sorted(c for c in some if c not in anywhere)
    return sorted(listed), clean


def run(engine: sa.Engine, catalog: Catalog, *, now: datetime, seed: int) -> int:
    """Make the demo checks and their feedback; returns how many checks were made."""
    rng = random.Random(f"{seed}:checks")
    with engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(checks)).scalar_one():
            return 0
        listed, clean = _codes(conn, catalog, local_date(now))
        if not listed:
            return 0
        by_name = {d.name: d for d in departments.all_departments(conn)}
        made = 0
        for n in range(CHECKS):
            name, scene, purpose = RUNS[n % len(RUNS)]
            dept = by_name.get(name)
            if dept is None:
                continue
            moment = now - timedelta(minutes=7 * (CHECKS - n) + rng.randint(0, 5))
            who = rng.sample(listed, min(len(listed), rng.randint(1, 4)))
            who += rng.sample(clean, min(len(clean), rng.randint(0, 3)))
            rng.shuffle(who)
            request = check.Request(
                subjects=who, scene=scene, requester=f"{name}业务系统", purpose=purpose,
                as_of=local_date(now),
            )  # fmt: skip
            done = check.run(conn, catalog, request, now=moment, actor=ACTOR,
                             department_id=dept.id)  # fmt: skip
            made += 1
            if n % 5 == 4:
                continue  # left awaiting feedback
            items = []
            for result in done.results:
                for m in [*result.get("measures", []), *result.get("rewards", [])]:
                    applied = rng.random() < 0.75
                    items.append({
                        "position": result["position"], "measure_id": m["id"],
                        "applied": applied, "operator": rng.choice(("王敏", "李强", "赵磊")),
                        "doc_no": f"京{dept.name[1:3]}审〔{moment.year}〕{100 + n}号",
                        **({} if applied else {"reason": rng.choice(REASONS)}),
                    })  # fmt: skip
            if items:
                feedback.report(conn, done.id, items, department=dept, now=moment, actor=ACTOR)
    return made
