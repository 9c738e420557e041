"""What the CLI, the API and the pages call to file and read applications with a deployment's
settings (its jurisdiction, attachment limits, var folder), so that all ask the same way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.settings import Settings
from gongxin.workflows import applications, eligibility
from gongxin.workflows.applications import Filed, Filing
from gongxin.workflows.attachments import Upload
from gongxin.workflows.deadlines import jurisdiction


def file(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    filing: Filing,
    uploads: list[Upload],
    *,
    as_of: date,
    now: datetime,
) -> Filed:
    with engine.begin() as conn:
        return applications.file(
            conn, catalog, filing, uploads,
            rules=jurisdiction(settings.jurisdiction, settings.workflow_rules),
            var_dir=settings.var_dir, max_bytes=settings.attachment_max_bytes,
            max_count=settings.attachment_max_count, as_of=as_of, now=now,
        )  # fmt: skip


def checklist(
    conn: sa.Connection, catalog: Catalog, settings: Settings, record_id: int, as_of: date
) -> dict[str, Any]:
    """The repair checklist of a public record before anything is declared: what the platform
    checked (the minimum period) and what the applicant must give."""
    rec = applications.public_record(conn, record_id, as_of)
    _, jur = jurisdiction(settings.jurisdiction, settings.workflow_rules)
    nothing = Filing("repair", record_id, "", "", "", "", "")
    items = eligibility.checklist(catalog.get(rec.dataset), rec.data, nothing, 0, jur, as_of)
    since, rule = eligibility.earliest(catalog.get(rec.dataset), rec.data, jur)
    return {
        "record_id": record_id,
        "subject_name": rec.subject_name,
        "may_file_from": since,
        "rule": rule,
        "open_repair": applications.open_application(conn, "repair", record_id),
        "open_objection": applications.open_application(conn, "objection", record_id),
        "items": [i.to_dict() for i in items],
    }
