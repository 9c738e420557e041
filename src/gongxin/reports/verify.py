"""Checking a report without storing it: rebuild it from its number, compare the fingerprint.

The number encodes the report's ``as_of`` and a hash of the subject's code and that date, so
the report can be rebuilt for the subject as the public would have seen it on that day. A
report is valid when the number belongs to the subject and the rebuilt content has the printed
SHA-256. Rebuilding reads today's data: a record corrected or withdrawn after the report was
issued changes the rebuilt content, and such a report then no longer verifies (the message
says so). ``changed_since`` compares what the report showed with what the public sees today.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.reports.content import build, digest, parse_report_number, records_digest


def verify(
    conn: sa.Connection, catalog: Catalog, report_no: str, code: str, sha256: str, today: date
) -> dict[str, Any]:
    """The verdict on the report ``report_no`` for the subject ``code`` with hash ``sha256``.

    Raises ``InvalidInput`` for a malformed number and ``NotFound`` for an unknown subject."""
    as_of = parse_report_number(report_no)
    result: dict[str, Any] = {
        "valid": False, "report_no": report_no, "subject": None, "as_of": as_of,
        "sha256_matches": False, "changed_since": False,
    }  # fmt: skip
    if as_of > today:
        return result | _says(
            "报告日期晚于今天，报告无效", "the report is dated after today: not valid"
        )
    rebuilt = build(conn, catalog, code, as_of)
    result["subject"] = {"name": rebuilt.subject_name, "code": rebuilt.subject_code}
    if rebuilt.report_no != report_no:
        return result | _says(
            "报告编号与该主体不符，报告无效",
            "the report number does not belong to this subject: not valid",
        )
    matches = hmac.compare_digest(digest(rebuilt).encode(), sha256.strip().lower().encode())
    current = build(conn, catalog, code, today)
    changed = records_digest(current) != records_digest(rebuilt)
    result |= {"valid": matches, "sha256_matches": matches, "changed_since": changed}
    if not matches:
        return result | _says(
            "报告内容校验码不符：报告可能被篡改，或出具后相关记录已被更正",
            "the SHA-256 does not match: the report may have been altered, "
            "or its records were corrected after it was issued",
        )
    if changed:
        return result | _says(
            f"报告真实有效；但自 {as_of.isoformat()} 以来该主体的公开信用信息已有变化，"
            "请以最新报告为准",
            f"the report is genuine, but the subject's public record has changed since "
            f"{as_of.isoformat()}: obtain a current report",
        )
    return result | _says(
        "报告真实有效，自出具以来该主体的公开信用信息未发生变化",
        "the report is genuine and the subject's public record has not changed since",
    )


def _says(zh: str, en: str) -> dict[str, str]:
    return {"message_zh": zh, "message_en": en}
