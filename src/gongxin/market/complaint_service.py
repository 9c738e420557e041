"""What the CLI, the API, the pages and the worker call for complaints with a deployment's
settings (its rules file, evidence limits, var folder, public address), each step in its own
transaction, so that all ask the same way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.market import complaint_replies, complaint_report, complaint_triage, complaints
from gongxin.market.complaint_rules import Rules, load
from gongxin.market.complaints import Filed, Filing
from gongxin.settings import Settings
from gongxin.workflows.attachments import Upload


def rules(settings: Settings) -> Rules:
    return load(settings.complaint_rules)


def file(
    engine: sa.Engine,
    settings: Settings,
    filing: Filing,
    uploads: list[Upload],
    *,
    as_of: date,
    now: datetime,
) -> Filed:
    with engine.begin() as conn:
        return complaints.file(
            conn,
            filing,
            uploads,
            rules=rules(settings),
            var_dir=settings.var_dir,
            max_bytes=settings.attachment_max_bytes,
            max_count=settings.attachment_max_count,
            as_of=as_of,
            now=now,
        )


def lookup(engine: sa.Engine, settings: Settings, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return complaints.progress(complaints.by_code(conn, code), rules(settings))


def accept(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    complaint_id: int,
    *,
    company_email: str,
    summary: str,
    actor: str,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    with engine.begin() as conn:
        return complaint_triage.accept(
            conn,
            catalog,
            complaint_id,
            company_email=company_email,
            summary=summary,
            rules=rules(settings),
            secret=complaint_replies.secret(conn, now=now),
            base_url=settings.public_base_url,
            actor=actor,
            as_of=as_of,
            now=now,
        )


def refuse(
    engine: sa.Engine,
    settings: Settings,
    complaint_id: int,
    *,
    reason: str,
    note: str,
    actor: str,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    with engine.begin() as conn:
        return complaint_triage.refuse(
            conn,
            complaint_id,
            reason=reason,
            note=note,
            rules=rules(settings),
            actor=actor,
            as_of=as_of,
            now=now,
        )


def mark_overdue(
    engine: sa.Engine, catalog: Catalog, settings: Settings, *, as_of: date, now: datetime
) -> dict[str, int]:
    with engine.begin() as conn:
        return complaint_triage.mark_overdue(conn, catalog, rules(settings), as_of=as_of, now=now)


def company_view(
    engine: sa.Engine, settings: Settings, token: str, *, as_of: date, now: datetime
) -> dict[str, Any]:
    with engine.begin() as conn:  # the secret is made at first use
        shown: dict[str, Any] = complaint_replies.for_company(
            conn, token, rules(settings), as_of=as_of, now=now
        )
        return shown


def reply(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    token: str,
    text: str,
    *,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    with engine.begin() as conn:
        return complaint_replies.reply(
            conn, catalog, token, text, rules(settings), as_of=as_of, now=now
        )


def rate(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    code: str,
    rating: str,
    note: str,
    *,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    with engine.begin() as conn:
        return complaint_replies.rate(
            conn, catalog, code, rating, note, rules(settings), as_of=as_of, now=now
        )


def report(
    engine: sa.Engine, settings: Settings, kind: str, day: date, *, as_of: date
) -> dict[str, Any]:
    with engine.connect() as conn:
        return complaint_report.build(conn, rules(settings), kind, day, as_of=as_of)
