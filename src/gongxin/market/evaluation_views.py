"""What the public sees of industry evaluation (API and portal alike): the rounds past their
open stage, a round's 公示 or published results, and a certificate's live result and PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.db.rating_tables import rating_entries
from gongxin.errors import NotFound
from gongxin.market import certificate_pdf, certificate_status, evaluation_publicity
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import ENTRY_STATES, ROUND_STATES, get_round, rounds
from gongxin.market.evaluation_rules import Rules

SHOWN = ("publicity", "awarded", "sustained", "revoked", "cancelled")


def public_rounds(conn: sa.Connection) -> list[dict[str, Any]]:
    return rounds(conn, public=True)


def public_round(conn: sa.Connection, round_id: int, as_of: date) -> dict[str, Any]:
    """A round in 公示 or published, with its results; an open round is not public."""
    rnd = get_round(conn, round_id)
    if rnd.state == "open":
        raise NotFound(f"评价轮次 {round_id} 尚未公示", f"round {round_id} is not public yet")
    org = evaluators.get(conn, rnd.evaluator_id)
    pending = {
        o["entry_id"]
        for o in evaluation_publicity.objections(conn, rnd.id)
        if o["state"] == "received"
    }
    rows = conn.execute(
        sa.select(rating_entries)
        .where(rating_entries.c.round_id == rnd.id, rating_entries.c.state.in_(SHOWN))
        .order_by(rating_entries.c.grade_code.desc(), rating_entries.c.id)
    ).all()
    running = evaluation_publicity.status(rnd, as_of)
    items = []
    for e in rows:
        state_zh = ENTRY_STATES[e.state]
        if e.state == "awarded":
            state_zh = certificate_status.STATES[certificate_status.state_on(e, as_of)][0]
        items.append(
            {
                "entry_id": e.id,
                "company": e.company,
                "uscc": e.uscc,
                "grade": e.grade,
                "grade_code": e.grade_code,
                "state": e.state,
                "state_zh": state_zh,
                "certificate_no": e.certificate_no,
                "valid_until": e.valid_until,
                "record_id": e.record_id if running["running"] else None,
                "objection_pending": e.id in pending,
            }
        )
    return {
        "id": rnd.id,
        "title": rnd.title,
        "year": rnd.year,
        "evaluator": org.name,
        "evaluator_kind": org.kind_zh,
        "state": rnd.state,
        "state_zh": ROUND_STATES[rnd.state],
        "publicity_from": rnd.publicity_from,
        "publicity_until": rnd.publicity_until,
        "publicity_days": rnd.publicity_days,
        "publicity_day_kind": rnd.publicity_day_kind,
        "publicity_running": running["running"],
        "days_left": running["days_left"],
        "published_on": rnd.published_on,
        "entries": items,
    }


def live(conn: sa.Connection, cert_no: str, as_of: date) -> dict[str, Any]:
    found = certificate_status.live(conn, cert_no, as_of)
    if found is None:
        raise NotFound(
            f"证书编号“{cert_no[:20]}”不存在（或已因降级换发新证书）",
            f"no certificate {cert_no[:20]!r} (or it was replaced after a downgrade)",
        )
    return found


def pdf(
    conn: sa.Connection,
    rules: Rules,
    cert_no: str,
    live_url: str,
    as_of: date,
    *,
    font: Path | None = None,
) -> bytes:
    """The certificate as PDF; its QR code opens ``live_url``; ``font`` the compact CJK font."""
    found = live(conn, cert_no, as_of)
    klass = rules.grade(found["grade"]).klass
    return certificate_pdf.render(found, klass, rules.scheme, live_url, font=font)
