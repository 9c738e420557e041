"""Demo objections and credit-repair applications in several states, filed and decided through
the workflow services as applicants and departments would: repairs granted, refused, returned
(补正) and still open (one of them overdue), objections pending (the record marked 异议处理中),
pending with the department's extension taken, upheld and withdrawn. Runs once: a store that
already holds applications is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin import clock
from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, subjects
from gongxin.db.workflow_tables import applications as table
from gongxin.records.decisions import public_now
from gongxin.workflows import applications, clockstops, eligibility
from gongxin.workflows.applications import Filing
from gongxin.workflows.attachments import Upload
from gongxin.workflows.deadlines import Jurisdiction

PROOF = b"%PDF-1.4\n% demo proof of payment\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# (kind, days before today it was filed, outcome or None for open, reasons); "extended": open,
# with the jurisdiction's extension taken
PLAN = [
    ("repair", 6, "granted", "罚款已缴清，信用修复承诺书齐全，准予修复。"),
    ("repair", 5, "refused", "经核实罚款尚未缴清，不予修复。"),
    ("repair", 1, None, ""),
    ("repair", 14, None, ""),  # overdue
    ("objection", 2, None, ""),
    ("objection", 8, "upheld", "经核对处罚决定书，公示信息准确，维持原记录。"),
    ("repair", 4, "returned", "缺少罚款缴纳凭证，请一次性补齐后重新申请。"),
    ("objection", 3, "extended", "需向原处罚机关调取案卷核实，延长办理期限。"),
    ("objection", 7, "withdrawn", "经核实该处罚决定已被行政复议撤销，撤回公示。"),
]

STATEMENTS = {
    "repair": "已履行处罚决定，申请信用修复。",
    "objection": "公示的违法事实与决定书不一致。",
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), clock.CHINA_TZ)


def run(
    engine: sa.Engine,
    catalog: Catalog,
    *,
    now: datetime,
    rules: tuple[str, Jurisdiction],
    var_dir: Path,
) -> list[str]:
    """File and decide the plan's applications; the states made, in order."""
    today = clock.local_date(now)
    spec = catalog.get("penalty")
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            return []
        rows = conn.execute(
            sa.select(records.c.id, records.c.data, subjects.c.uscc)
            .join(subjects, subjects.c.id == records.c.subject_id)
            .where(records.c.dataset == "penalty", subjects.c.uscc.is_not(None),
                   public_now(today - timedelta(days=30)), public_now(today))
            .order_by(records.c.id)
            .limit(400)
        ).all()  # fmt: skip
    _, jur = rules
    eligible = [
        r for r in rows
        if (eligibility.earliest(spec, r.data, jur)[0] or date.min) <= today - timedelta(days=30)
    ]  # fmt: skip
    made = []
    for (kind, back, outcome, reasons), row in zip(PLAN, eligible, strict=False):
        filed_on = today - timedelta(days=back)
        statement = STATEMENTS[kind]
        filing = Filing(
            kind, row.id, "演示申请人", row.uscc, "13800000000", "applicant@example.org",
            statement, commitment=True, fulfilled=True, training=True,
        )  # fmt: skip
        with engine.begin() as conn:
            filed = applications.file(
                conn, catalog, filing, [Upload("履行证明.pdf", PROOF)], rules=rules,
                var_dir=var_dir, max_bytes=1 << 20, max_count=5, as_of=filed_on,
                now=_at(filed_on),
            )  # fmt: skip
            if outcome == "extended" and not jur.extension(kind):
                outcome = None  # the deployment's rules give no extension: left open
            if outcome == "extended":
                on = min(clock.add_working_days(filed_on, 1), today)
                clockstops.extend(conn, filed.id, reasons, actor="cli", department_id=None,
                                  as_of=on, now=_at(on), rules=jur)  # fmt: skip
            elif outcome is not None:
                decided_on = min(clock.add_working_days(filed_on, 2), today)
                applications.decide(
                    conn, catalog, filed.id, outcome, reasons, actor="cli",
                    department_id=None, as_of=decided_on, now=_at(decided_on),
                )  # fmt: skip
        made.append(f"{kind}:{outcome or 'received'}")
    return made
