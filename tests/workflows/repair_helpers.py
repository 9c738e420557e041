"""A store with one company and its penalties, and shortcuts to file and decide applications."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gongxin.catalog.registry import load_catalog
from gongxin.workflows import applications
from gongxin.workflows.applications import Filed, Filing
from gongxin.workflows.attachments import Upload
from gongxin.workflows.deadlines import jurisdiction
from tests.intake.helpers import (
    PENALTY_COLUMNS,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)

COMPANY = make_uscc(1)
ENV = "北京市生态环境局"  # not a market-regulation authority: the national regimes apply
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


def add_penalty(store: Store, n: int, decided: str, **values: str) -> int:
    """Store a penalty of the company decided on ``decided``; its record id."""
    if store.count("subjects") == 0:
        path = write_registrations(store.folder / "r.csv", [registration_row(1)])
        store.ingest(path, "registration")
    row = penalty_row(1, CF_JDRQ=decided, CF_WSH=f"京环罚〔2026〕{n}号", CF_CFJG=ENV,
                      CF_SJLY=ENV, **values)  # fmt: skip
    columns = [*PENALTY_COLUMNS, *(c for c in values if c not in PENALTY_COLUMNS)]
    done = store.ingest(store.penalties(f"p{n}.csv", [row], columns=columns))
    return int(store.record(dataset="penalty", submission_id=done.submission_id)["id"])


def filing(record_id: int, kind: str = "repair", **over: Any) -> Filing:
    values: dict[str, Any] = {
        "kind": kind, "record_id": record_id, "applicant": "李四", "subject_code": COMPANY,
        "phone": "13800000000", "email": "lisi@example.org", "statement": "已缴清罚款并完成整改。",
        "commitment": True, "fulfilled": True, "training": True,
    } | over  # fmt: skip
    return Filing(**values)


def file(store: Store, f: Filing, as_of: date, uploads: list[Upload] | None = None) -> Filed:
    with store.engine.begin() as conn:
        return applications.file(
            conn, load_catalog(), f,
            [Upload("proof.pdf", PDF)] if uploads is None else uploads,
            rules=jurisdiction(), var_dir=store.folder / "var", max_bytes=100_000, max_count=3,
            as_of=as_of, now=noon(as_of),
        )  # fmt: skip


def decide(
    store: Store, app_id: int, outcome: str, as_of: date, *, department_id: int | None = None,
    reasons: str = "材料齐全，符合条件。", corrected: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    with store.engine.begin() as conn:
        return applications.decide(
            conn, load_catalog(), app_id, outcome, reasons, actor="user:1",
            department_id=department_id, as_of=as_of, now=noon(as_of), corrected=corrected,
        )  # fmt: skip


def lookup(store: Store, code: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return applications.lookup(conn, code)


__all__ = ["Path"]
