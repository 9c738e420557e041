"""Issued reports: each PDF handed out is recorded with its content as issued.

Verification then shows what the report said on the day it was issued — not a report rebuilt
from today's data — and accepts either the content's SHA-256 printed on the report or the
SHA-256 of the PDF file itself. A PDF edited after issue keeps its number and printed hash but
not its file hash; and whoever checks the printed hash sees the stored content to compare
with the paper in hand.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db.report_tables import issued_reports
from gongxin.reports.content import ReportContent, canonical_json, digest, to_dict


@dataclass(frozen=True)
class Issued:
    report_no: str
    subject_code: str
    as_of: date
    content_sha256: str
    pdf_sha256: str
    content: dict[str, Any]
    issued_at: datetime

    def intact(self) -> bool:
        """Whether the stored content still has the hash recorded with it."""
        again = hashlib.sha256(canonical_json(self.content).encode()).hexdigest()
        return hmac.compare_digest(again, self.content_sha256)

    def matches(self, sha256: str) -> str | None:
        """``"content"`` or ``"pdf"`` when ``sha256`` is the content's or the file's hash."""
        typed = sha256.strip().lower().encode()
        if hmac.compare_digest(self.content_sha256.encode(), typed):
            return "content"
        if hmac.compare_digest(self.pdf_sha256.encode(), typed):
            return "pdf"
        return None


def record(conn: sa.Connection, content: ReportContent, pdf: bytes, now: datetime) -> Issued:
    """Store the issued report (once per distinct PDF file), in the caller's transaction."""
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    snapshot = json.loads(canonical_json(to_dict(content)))
    issued = Issued(
        content.report_no, content.subject_code, content.as_of, digest(content), pdf_sha,
        snapshot, as_utc(now),
    )  # fmt: skip
    known = sa.select(issued_reports.c.id).where(issued_reports.c.pdf_sha256 == pdf_sha)
    row = {
        "report_no": issued.report_no, "subject_code": issued.subject_code,
        "as_of": issued.as_of, "content_sha256": issued.content_sha256,
        "pdf_sha256": pdf_sha, "content": snapshot, "issued_at": issued.issued_at,
    }  # fmt: skip
    if conn.execute(known).first() is None:
        try:
            with conn.begin_nested():
                conn.execute(issued_reports.insert().values(row))
        except sa.exc.IntegrityError:
            pass  # the same file issued at the same moment by another request
    return issued


def issued_as(conn: sa.Connection, report_no: str) -> list[Issued]:
    """Every recorded issue of the report ``report_no``, oldest first."""
    query = (
        sa.select(issued_reports)
        .where(issued_reports.c.report_no == report_no)
        .order_by(issued_reports.c.id)
    )
    return [_issued(r._mapping) for r in conn.execute(query)]


def _issued(m: Any) -> Issued:
    return Issued(
        report_no=m["report_no"],
        subject_code=m["subject_code"],
        as_of=m["as_of"],
        content_sha256=m["content_sha256"],
        pdf_sha256=m["pdf_sha256"],
        content=m["content"],
        issued_at=as_utc(m["issued_at"]),
    )
