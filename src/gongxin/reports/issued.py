"""Issued reports: each PDF handed out is recorded with its content as issued.

Verification then shows what the report said on the day it was issued — not a report rebuilt
from today's data — and accepts either the content's SHA-256 printed on the report or the
SHA-256 of the PDF file itself. A PDF edited after issue keeps its number and printed hash but
not its file hash; and whoever checks the printed hash sees the stored content to compare
with the paper in hand.

Each distinct report (number and content) gets a short 验证码 (verification code): ten
characters of an alphabet without look-alikes (no 0/O, 1/I/L), printed ``XXXXX-XXXXX``, random
and unique, so that someone holding a paper copy can type it on the verification page and see
what the report said. Every download of the same report (a new signed file each time) keeps the
code of its first issue: the first download claims the code (table ``report_codes``, one row per
report), and a download at the same moment reads the code claimed rather than drawing another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db.report_tables import issued_reports, report_codes
from gongxin.errors import InvalidInput
from gongxin.reports.content import ReportContent, canonical_json, digest, to_dict

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0/O, 1/I/L
CODE_LENGTH = 10  # 31**10 ≈ 8·10^14 codes: not guessable at the lookup rate limit
_CLAIM_TRIES = 5
_TYPED = re.compile(r"[\s\-_·.]+")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """The code as printed: two groups of five, ``K7M3P-Q9XRT``."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def parse_code(typed: str) -> str:
    """A typed code, spaces and hyphens dropped and in capitals; anything else is invalid."""
    code = _TYPED.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise InvalidInput(
            f"验证码格式有误：应为 {CODE_LENGTH} 位字母或数字（不含 0、1、I、L、O），"
            f"如 K7M3P-Q9XRT：{typed[:20]}",
            f"malformed verification code: {CODE_LENGTH} letters or digits without 0, 1, I, L, "
            f"O, like K7M3P-Q9XRT: {typed[:20]}",
        )
    return code


@dataclass(frozen=True)
class Issued:
    report_no: str
    subject_code: str
    as_of: date
    content_sha256: str
    pdf_sha256: str
    content: dict[str, Any]
    issued_at: datetime
    verification_code: str | None = None  # None on reports issued before codes existed

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


def code_for(engine: sa.Engine, content: ReportContent, now: datetime) -> str:
    """The 验证码 of this report: the one its first download claimed, else a new unused one,
    claimed now. Claims are committed one report at a time (a unique key on number and
    content), so that simultaneous downloads of the same report print the same code."""
    t = report_codes.c
    fingerprint = digest(content)
    mine = sa.select(t.verification_code).where(
        t.report_no == content.report_no, t.content_sha256 == fingerprint
    )
    for _ in range(_CLAIM_TRIES):
        with engine.connect() as conn:
            known = conn.execute(mine).scalar()
        if known:
            return str(known)
        code = new_code()
        claim = report_codes.insert().values(
            report_no=content.report_no, content_sha256=fingerprint, verification_code=code,
            created_at=as_utc(now),
        )  # fmt: skip
        try:
            with engine.begin() as conn:
                conn.execute(claim)
            return code
        except sa.exc.IntegrityError:
            continue  # another download claimed this report first (or drew this code): read again
    raise RuntimeError(f"no 验证码 could be claimed for {content.report_no}")


def record(
    conn: sa.Connection, content: ReportContent, pdf: bytes, now: datetime, code: str
) -> Issued:
    """Store the issued report (once per distinct PDF file) with its 验证码 ``code`` (from
    :func:`code_for`), in the caller's transaction."""
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    snapshot = json.loads(canonical_json(to_dict(content)))
    issued = Issued(
        content.report_no, content.subject_code, content.as_of, digest(content), pdf_sha,
        snapshot, as_utc(now), code,
    )  # fmt: skip
    known = sa.select(issued_reports.c.id).where(issued_reports.c.pdf_sha256 == pdf_sha)
    if conn.execute(known).first() is None:
        try:
            with conn.begin_nested():
                conn.execute(issued_reports.insert().values(asdict(issued)))
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


def by_code(conn: sa.Connection, code: str) -> Issued | None:
    """The first issue of the report with the 验证码 ``code`` (as ``parse_code`` returns it)."""
    query = (
        sa.select(issued_reports)
        .where(issued_reports.c.verification_code == code)
        .order_by(issued_reports.c.id)
        .limit(1)
    )
    row = conn.execute(query).first()
    return None if row is None else _issued(row._mapping)


def _issued(m: Any) -> Issued:
    return Issued(
        report_no=m["report_no"],
        subject_code=m["subject_code"],
        as_of=m["as_of"],
        content_sha256=m["content_sha256"],
        pdf_sha256=m["pdf_sha256"],
        content=m["content"],
        issued_at=as_utc(m["issued_at"]),
        verification_code=m["verification_code"],
    )
