"""Demo credit complaints in every state, filed, triaged and answered through the market
services as the public, the centre and the companies would: waiting for triage, refused,
forwarded, answered in time and late, overdue, rated, and typical cases, spread over the weeks
before today so that the month's report has a curve and a 公示预警. Runs once: a store that
already holds complaints is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin import clock
from gongxin.catalog.registry import Catalog
from gongxin.db.complaint_tables import complaints as table
from gongxin.db.models import subjects
from gongxin.market import complaint_replies, complaint_triage, complaints
from gongxin.market.complaint_rules import Rules
from gongxin.market.complaints import Filing

PROOF = b"%PDF-1.4\n% demo order screenshot\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FACTS = {
    "refund": "本人王明在该公司网店下单购买电暖器并付款，次日商家单方取消订单，至今未退款。",
    "false_info": "该公司网页标示商品有现货，付款后客服称无货，要求加价才能发货。",
    "after_sales": "购买的洗衣机一个月内出现故障，多次联系售后无人上门维修。",
    "contract": "签订的装修合同约定 30 日完工，逾期两个月仍未完工。",
    "delivery": "快递包裹显示已签收，实际未收到，联系客服多次未解决。",
}
# (days before today it was filed, company index, category, what happened next)
PLAN = [
    (40, 0, "refund", "replied"),
    (33, 1, "false_info", "replied_late"),
    (26, 0, "after_sales", "overdue"),
    (24, 0, "refund", "replied"),
    (20, 2, "contract", "refused"),
    (18, 0, "false_info", "rated"),
    (15, 1, "delivery", "replied"),
    (12, 0, "refund", "overdue"),
    (10, 0, "after_sales", "typical"),
    (8, 1, "refund", "accepted"),
    (6, 0, "contract", "accepted"),
    (3, 2, "delivery", "received"),
    (1, 0, "refund", "received"),
]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=clock.CHINA_TZ).astimezone(clock.CHINA_TZ)


def run(
    engine: sa.Engine,
    catalog: Catalog,
    rules: Rules,
    *,
    now: datetime,
    base_url: str,
    var_dir: Path,
) -> int:
    """File and move the demo complaints; how many were made (0 when some exist already)."""
    today = clock.local_date(now)
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            return 0
        found = (
            conn.execute(
                sa.select(subjects.c.uscc)
                .where(subjects.c.uscc.is_not(None))
                .order_by(subjects.c.id)
                .limit(3)
            )
            .scalars()
            .all()
        )
    if not found:
        return 0
    made = 0
    for back, n, category, step in PLAN:
        received = today - timedelta(days=back)
        with engine.begin() as conn:
            filed = complaints.file(
                conn,
                Filing(
                    found[n % len(found)],
                    "王明",
                    "13800000000",
                    "demo@example.org",
                    category,
                    "退还货款或履行承诺",
                    FACTS[category],
                ),
                [],
                rules=rules,
                var_dir=var_dir,
                max_bytes=10**6,
                max_count=5,
                as_of=received,
                now=_noon(received),
            )
        made += 1
        if step == "received":
            continue
        triaged = clock.add_working_days(received, 2)
        with engine.begin() as conn:
            if step == "refused":
                complaint_triage.refuse(
                    conn,
                    filed.id,
                    reason="handled_elsewhere",
                    note="",
                    rules=rules,
                    actor="demo",
                    as_of=triaged,
                    now=_noon(triaged),
                )
                continue
            done = complaint_triage.accept(
                conn,
                catalog,
                filed.id,
                company_email="kefu@demo-company.example",
                summary=f"消费者反映：{FACTS[category][:40]}",
                rules=rules,
                secret=complaint_replies.secret(conn, now=_noon(triaged)),
                base_url=base_url,
                actor="demo",
                as_of=triaged,
                now=_noon(triaged),
            )
        token = str(done["link"]).rsplit("/", 1)[1]
        due = done["reply_due"]
        if step in ("replied", "rated", "typical", "replied_late"):
            day = due + timedelta(days=3) if step == "replied_late" else triaged + timedelta(days=2)
            day = min(day, today)
            with engine.begin() as conn:
                complaint_replies.reply(
                    conn,
                    catalog,
                    token,
                    "已联系消费者核实情况，已退款并致歉。",
                    rules,
                    as_of=day,
                    now=_noon(day),
                )
                if step == "rated":
                    complaint_replies.rate(
                        conn, catalog, filed.code, "satisfied", "", rules, as_of=day, now=_noon(day)
                    )
                if step == "typical":
                    complaint_triage.set_typical(
                        conn,
                        filed.id,
                        typical=True,
                        text="",
                        view="网页标价即为要约，付款即为承诺；商家单方取消订单构成违约，应承担违约责任。",
                        actor="demo",
                        now=_noon(day),
                    )
        elif step == "overdue":
            with engine.begin() as conn:
                complaint_triage.mark_overdue(conn, catalog, rules, as_of=today, now=now)
    return made
