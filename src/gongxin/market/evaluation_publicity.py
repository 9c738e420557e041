"""The 公示 of a round's preliminary results and their publication (结果发布).

Starting the 公示 writes each graded application as a record of the catalog dataset
``industry_evaluation`` (owned by the evaluator's department, status 公示中, public from the
first to the last day of the 公示). So the platform's objection workflow applies unchanged:
anyone files an objection from the record's page (我要异议 → /records/{id}/objection) and gets a
受理编号 and 查询码; the record shows 异议处理中; the evaluator's clerks decide it in
/admin/applications. When the 公示 ends the record leaves public view until the result stands.

Publication is refused before the 公示 has ended and while any objection is open. A result
whose objection was found right (decided ``corrected`` or ``withdrawn``) does not stand
(``sustained``); every other result stands: its certificate is issued (certificate.py) and
its record becomes 有效 until the end of validity.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.rating_tables import rating_entries, rating_rounds
from gongxin.db.workflow_tables import applications
from gongxin.errors import Conflict
from gongxin.identity import departments as depts
from gongxin.market import certificate
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor, own_round
from gongxin.market.evaluation_rules import DAY_KINDS, Rules, publicity_until
from gongxin.workflows.submission import check_row, store_row

DATASET = "industry_evaluation"
SUSTAINED = {"corrected": "异议成立，评价结果已更正", "withdrawn": "异议成立，评价结果撤销"}


def record_values(entry: Any, rnd: Any, org: evaluators.Evaluator, **extra: Any) -> dict[str, Any]:
    """The 公示 record of an entry, by field code."""
    values = {
        "PJ_ZTMC": entry.company,
        "PJ_TYSHXYDM": entry.uscc,
        "PJ_PJDW": org.name,
        "PJ_PJPC": f"R{rnd.id} {rnd.title}"[:200],
        "PJ_PJND": str(rnd.year),
        "PJ_XYDJ": entry.grade,
        "PJ_DJDM": entry.grade_code,
        "PJ_JGZT": "公示中",
        "PJ_GSKSRQ": rnd.publicity_from.isoformat(),
        "PJ_GSJSRQ": rnd.publicity_until.isoformat(),
        "PJ_YXQZ": rnd.publicity_until.isoformat(),
    }
    values.update({k: v for k, v in extra.items() if v is not None})
    return values


def write_record(
    conn: sa.Connection,
    catalog: Catalog,
    org: evaluators.Evaluator,
    values: dict[str, Any],
    *,
    now: datetime,
    label: str,
) -> int:
    """Store (or replace: same company and round) the entry's record as the evaluator's."""
    spec = catalog.get(DATASET)
    pending = check_row(catalog, spec, values, now)
    owner = depts.by_id(conn, org.department_id)
    return store_row(conn, spec, pending, owner, now=now, label=label).record_id


def start(
    conn: sa.Connection,
    catalog: Catalog,
    round_id: int,
    *,
    actor: Actor,
    as_of: date,
    now: datetime,
) -> date:
    """Start the 公示 today: every graded application becomes a public record; returns the
    last day of the 公示. Refused while an application is neither graded nor rejected."""
    rnd = own_round(conn, round_id, actor)
    if rnd.state != "open":
        raise Conflict(
            f"评价轮次“{rnd.title}”已开始公示或已发布",
            f"round {rnd.id} is past its open state ({rnd.state})",
        )
    rows = conn.execute(sa.select(rating_entries).where(rating_entries.c.round_id == rnd.id)).all()
    waiting = [r for r in rows if r.state == "applied"]
    if waiting:
        names = "、".join(r.company for r in waiting[:5])
        raise Conflict(
            f"尚有 {len(waiting)} 家企业未评定等级或未作初审结论（{names}），不能开始公示",
            f"{len(waiting)} application(s) have neither a grade nor a rejection yet",
            waiting=[r.id for r in waiting],
        )
    graded = [r for r in rows if r.state == "graded"]
    if not graded:
        raise Conflict("本轮没有已评定等级的企业，无需公示", "no graded application to publicise")
    until = publicity_until(as_of, rnd.publicity_days, rnd.publicity_day_kind)
    conn.execute(
        rating_rounds.update()
        .where(rating_rounds.c.id == rnd.id)
        .values(state="publicity", publicity_from=as_of, publicity_until=until, updated_at=now)
    )
    rnd = own_round(conn, round_id, actor)
    org = evaluators.get(conn, rnd.evaluator_id)
    for entry in graded:
        record_id = write_record(
            conn,
            catalog,
            org,
            record_values(entry, rnd, org),
            now=now,
            label=f"rating-round-{rnd.id}-publicity",
        )
        conn.execute(
            rating_entries.update()
            .where(rating_entries.c.id == entry.id)
            .values(state="publicity", record_id=record_id, updated_at=now)
        )
    audit.record(
        conn,
        actor=actor.name,
        action="rating_round.publicity",
        target=f"rating_round:{rnd.id}",
        now=now,
        department_id=org.department_id,
        detail={
            "from": as_of.isoformat(),
            "until": until.isoformat(),
            "entries": len(graded),
            "days": rnd.publicity_days,
            "day_kind": rnd.publicity_day_kind,
        },
    )
    return until


def objections(conn: sa.Connection, round_id: int) -> list[dict[str, Any]]:
    """Every objection filed against the round's 公示 records, oldest first, with the company."""
    a, e = applications.c, rating_entries.c
    rows = conn.execute(
        sa.select(
            a.id,
            a.number,
            a.state,
            a.outcome,
            a.reasons,
            a.received_on,
            a.due_on,
            a.decided_on,
            a.applicant,
            e.id.label("entry_id"),
            e.company,
            e.uscc,
        )
        .join(rating_entries, rating_entries.c.record_id == a.record_id)
        .where(e.round_id == round_id, a.kind == "objection")
        .order_by(a.id)
    )
    return [dict(r._mapping) for r in rows]


def status(rnd: Any, as_of: date) -> dict[str, Any]:
    """Where the round's 公示 stands on ``as_of``: days left (counted as the round counts)."""
    if rnd.publicity_until is None:
        return {"running": False, "ended": False, "days_left": None}
    running = rnd.publicity_from <= as_of <= rnd.publicity_until
    left = None
    if running:
        from gongxin.clock import working_days_between

        left = (
            (rnd.publicity_until - as_of).days + 1
            if rnd.publicity_day_kind == "calendar"
            else working_days_between(as_of, rnd.publicity_until) + 1
        )
    return {
        "running": running,
        "ended": as_of > rnd.publicity_until,
        "days_left": left,
        "day_kind_zh": DAY_KINDS[rnd.publicity_day_kind],
    }


def publish(
    conn: sa.Connection,
    catalog: Catalog,
    rules: Rules,
    round_id: int,
    *,
    actor: Actor,
    as_of: date,
    now: datetime,
) -> dict[str, int]:
    """Publish the round's results once its 公示 has ended without an open objection: the
    results without a sustained objection stand and get their certificates."""
    rnd = own_round(conn, round_id, actor)
    if rnd.state != "publicity":
        zh = "尚未公示" if rnd.state == "open" else "已发布"
        raise Conflict(
            f"评价轮次“{rnd.title}”{zh}，不能发布",
            f"round {rnd.id} cannot be published in state {rnd.state}",
        )
    if as_of <= rnd.publicity_until:
        after = rnd.publicity_until + timedelta(days=1)
        raise Conflict(
            f"公示期至 {rnd.publicity_until.isoformat()} 止，{after.isoformat()} 起方可发布结果",
            f"the public notice runs until {rnd.publicity_until.isoformat()}; results may be "
            "published after it ends",
            publicity_until=rnd.publicity_until.isoformat(),
        )
    found = objections(conn, rnd.id)
    pending = [o for o in found if o["state"] == "received"]
    if pending:
        first = pending[0]
        raise Conflict(
            f"公示期间的异议尚未办结，不能发布评价结果：{first['company']}（{first['uscc']}）"
            f"的异议 {first['number']} 处理中"
            + (f"，另有 {len(pending) - 1} 件" if len(pending) > 1 else ""),
            f"an objection raised during the public notice is still open, so the results cannot "
            f"be published: objection {first['number']} about {first['uscc']}",
            open=[o["number"] for o in pending],
        )
    sustained = {o["entry_id"]: o for o in found if o["outcome"] in SUSTAINED}
    org = evaluators.get(conn, rnd.evaluator_id)
    counts = {"awarded": 0, "sustained": 0}
    rows = conn.execute(
        sa.select(rating_entries)
        .where(rating_entries.c.round_id == rnd.id, rating_entries.c.state == "publicity")
        .order_by(rating_entries.c.id)
    ).all()
    for entry in rows:
        if entry.id in sustained:
            o = sustained[entry.id]
            conn.execute(
                rating_entries.update()
                .where(rating_entries.c.id == entry.id)
                .values(
                    state="sustained",
                    updated_at=now,
                    note=f"{SUSTAINED[o['outcome']]}（异议 {o['number']}：{o['reasons'] or ''}）"[
                        :2000
                    ],
                )
            )
            counts["sustained"] += 1
            continue
        certificate.issue(conn, catalog, rules, entry, rnd, org, as_of=as_of, now=now)
        counts["awarded"] += 1
    conn.execute(
        rating_rounds.update()
        .where(rating_rounds.c.id == rnd.id)
        .values(state="published", published_on=as_of, updated_at=now)
    )
    audit.record(
        conn,
        actor=actor.name,
        action="rating_round.publish",
        target=f"rating_round:{rnd.id}",
        now=now,
        department_id=org.department_id,
        detail=counts,
    )
    return counts
