"""Checking a report against what the platform issued.

Every PDF the platform hands out is stored with its content (``reports.issued``). A report is
genuine when a report with its number was issued for the subject and the SHA-256 given is the
one printed on it (the content's) or the PDF file's own. The verdict then carries the stored
content — what the report said on the day it was issued — so a PDF edited after issue, which
keeps its number and printed hash, is exposed by comparing it with that content, and fails
outright when its file hash is checked. ``changed_since`` compares the stored content with what
the public sees today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.reports import issued
from gongxin.reports.content import build, parse_report_number, records_digest, report_number


def verify(
    conn: sa.Connection, catalog: Catalog, report_no: str, code: str, sha256: str, today: date
) -> dict[str, Any]:
    """The verdict on the report ``report_no`` for the subject ``code`` with hash ``sha256``
    (the content's SHA-256 printed on the report, or the SHA-256 of the PDF file).

    Raises ``InvalidInput`` for a malformed number and ``NotFound`` for an unknown subject."""
    as_of = parse_report_number(report_no)
    result = _not_verified(report_no, as_of)
    if as_of > today:
        return result | _says(
            "报告日期晚于今天，报告无效", "the report is dated after today: not valid"
        )
    current = build(conn, catalog, code, today)
    result["subject"] = {"name": current.subject_name, "code": current.subject_code}
    if report_number(current.subject_code, as_of) != report_no:
        return result | _says(
            "报告编号与该主体不符，报告无效",
            "the report number does not belong to this subject: not valid",
        )
    issues = issued.issued_as(conn, report_no)
    if not issues:
        return result | _says(
            "平台没有出具过该编号的报告，报告无效",
            "the platform never issued a report with this number: not valid",
        )
    found = next(((i, how) for i in issues if (how := i.matches(sha256))), None)
    if found is None:
        return result | _says(
            "校验码与平台出具的该编号报告不符：报告或其文件已被改动",
            "the SHA-256 matches no report issued under this number: the report or its file "
            "was altered",
        )
    issue, how = found
    if not issue.intact():
        return result | _says(
            "平台存档的报告内容与其校验码不符，无法验证，请联系信用中心",
            "the platform's stored copy of this report does not match its hash: cannot verify, "
            "contact the credit centre",
        )
    changed = records_digest(issue.content) != records_digest(current)
    result |= {
        "valid": True, "sha256_matches": True, "matched": how, "changed_since": changed,
        "issued_at": issue.issued_at, "snapshot": issue.content,
        "verification_code": _shown(issue),
    }  # fmt: skip
    said = "请逐项核对下方出具时的报告内容"
    said_en = "compare it with the content as issued, shown below"
    if changed:
        return result | _says(
            f"报告由本平台出具；{said}。自 {as_of.isoformat()} 以来该主体的公开信用信息已有变化，"
            "请以最新报告为准",
            f"the report was issued by this platform; {said_en}. The subject's public record "
            f"has changed since {as_of.isoformat()}: obtain a current report",
        )
    return result | _says(
        f"报告由本平台出具，真实有效；{said}。自出具以来该主体的公开信用信息未发生变化",
        f"the report was issued by this platform and is genuine; {said_en}. The subject's "
        "public record has not changed since",
    )


def verify_code(conn: sa.Connection, catalog: Catalog, typed: str, today: date) -> dict[str, Any]:
    """The verdict on the report printed with the 验证码 ``typed``: for someone holding a paper
    copy, who compares it with the content as issued that the verdict carries.

    Raises ``InvalidInput`` for a malformed code."""
    code = issued.parse_code(typed)
    found = issued.by_code(conn, code)
    if found is None:
        return _not_verified("", today, issued.shown_code(code)) | _says(
            "平台没有出具过带有该验证码的报告，报告无效：请核对验证码",
            "the platform never issued a report with this verification code: not valid; "
            "check the code",
        )  # fmt: skip
    return verify(conn, catalog, found.report_no, found.subject_code, found.content_sha256, today)


def _not_verified(report_no: str, as_of: date, code: str | None = None) -> dict[str, Any]:
    """A verdict of nothing verified, before its message."""
    return {
        "valid": False, "report_no": report_no, "subject": None, "as_of": as_of,
        "sha256_matches": False, "matched": None, "changed_since": False, "issued_at": None,
        "snapshot": None, "verification_code": code,
    }  # fmt: skip


def _shown(issue: issued.Issued) -> str | None:
    code = issue.verification_code
    return issued.shown_code(code) if code else None


def _says(zh: str, en: str) -> dict[str, str]:
    return {"message_zh": zh, "message_en": en}
