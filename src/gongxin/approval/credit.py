"""The credit check inside parallel approval: the sanctions' check service run on the applicant
in the matter's scene, logged like any check, its result kept with the application (at intake)
and with a review (before an approval); and the credit gate of 告知承诺 and 容缺受理."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.approval.matters import Matter
from gongxin.catalog.registry import Catalog
from gongxin.sanctions import check

MODE_NAMES = {
    "standard": ("一般程序", "standard"),
    "tolerance": ("容缺受理", "acceptance with missing documents"),
    "promise": ("告知承诺", "notice and commitment"),
}


def run(
    conn: sa.Connection,
    catalog: Catalog,
    matter: Matter,
    code: str,
    *,
    purpose: str,
    as_of: date,
    now: datetime,
    actor: str,
    department_id: int | None,
) -> tuple[str, dict[str, Any]]:
    """Check the applicant in the matter's scene and log the check; its id and the result."""
    req = check.Request([code], matter.scene, "并联审批", purpose, as_of)
    done, items = check.evaluate(conn, catalog, req, now=now)
    check.record(conn, done, items, req, now=now, actor=actor, department_id=department_id)
    result = dict(done.results[0])
    result["check_id"], result["scene"], result["as_of"] = (
        done.id,
        done.scene.name,
        as_of.isoformat(),
    )
    return done.id, result


def blocking(result: dict[str, Any], barred: Sequence[str]) -> list[dict[str, Any]]:
    """The hits of ``result`` on a list type that bars the applicant (the credit gate)."""
    return [h for h in result.get("hits", []) if h.get("list_type") in barred]


def barred_text(hits: list[dict[str, Any]]) -> str:
    return "、".join(f"“{h.get('list_name', h.get('list_type'))}”" for h in hits)
