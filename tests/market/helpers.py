"""Shortcuts for complaint tests: the world of tests.workflows.helpers (two registered companies,
the credit centre), filing, triage and replies at a given day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.db.workflow_tables import outbox
from gongxin.market import complaint_replies, complaint_triage, complaints
from gongxin.market.complaint_rules import Rules, load
from gongxin.market.complaints import Filed, Filing
from gongxin.workflows.attachments import Upload
from tests.workflows.helpers import COMPANY, World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
RULES: Rules = load()
BASE = "https://credit.example.org"


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


def filing(**over: str) -> Filing:
    values = {
        "company": COMPANY, "complainant": "张三", "phone": "13800001111",
        "email": "zhangsan@example.org", "category": "refund", "claim": "退还货款 399 元",
        "facts": "9 月 3 日在该公司网店购买电暖器，付款后商家单方取消订单，至今未退款。",
    } | over  # fmt: skip
    return Filing(**values)


def file(world: World, day: date, uploads: list[Upload] | None = None, **over: str) -> Filed:
    with world.engine.begin() as conn:
        return complaints.file(
            conn, filing(**over), [Upload("凭证.pdf", PDF)] if uploads is None else uploads,
            rules=RULES, var_dir=world.folder / "var", max_bytes=10_000, max_count=2,
            as_of=day, now=noon(day),
        )  # fmt: skip


def accept(
    world: World, complaint_id: int, day: date, email: str = "kefu@company.example",
    summary: str = "消费者反映网购电暖器后商家单方取消订单且未退款。",
) -> Any:  # fmt: skip
    with world.engine.begin() as conn:
        return complaint_triage.accept(
            conn, world.catalog, complaint_id, company_email=email,
            summary=summary, rules=RULES,
            secret=complaint_replies.secret(conn, now=noon(day)), base_url=BASE,
            actor="user:1", as_of=day, now=noon(day),
        )  # fmt: skip


def reply(world: World, token: str, day: date, text: str = "已于当日全额退款，致歉。") -> Any:
    with world.engine.begin() as conn:
        return complaint_replies.reply(conn, world.catalog, token, text, RULES, as_of=day,
                                       now=noon(day))  # fmt: skip


def overdue(world: World, day: date) -> dict[str, int]:
    with world.engine.begin() as conn:
        return complaint_triage.mark_overdue(conn, world.catalog, RULES, as_of=day, now=noon(day))


def lookup(world: World, code: str) -> dict[str, Any]:
    with world.engine.connect() as conn:
        return complaints.progress(complaints.by_code(conn, code), RULES)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def mails(world: World) -> list[Any]:
    with world.engine.connect() as conn:
        return conn.execute(sa.select(outbox).order_by(outbox.c.id)).all()


def count(world: World, table: str) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
