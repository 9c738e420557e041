"""The credit status of trace nodes (each a credit subject keyed by its USCC): the lists it is
on and its administrative penalties, as the caller's audience may see them on ``as_of``
(the gate's stored decision, records/decisions.py; a list entry also in force, as
sanctions.lists says). traceability.md §7: show each node's credit status on the trace page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import records, subjects
from gongxin.records import decisions
from gongxin.records.gate import Audience
from gongxin.sanctions import lists

PENALTY = "penalty"


def _subject_ids(conn: sa.Connection, codes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in dialect.chunked(sorted(set(codes))):
        for sid, code in conn.execute(
            sa.select(subjects.c.id, subjects.c.uscc).where(subjects.c.uscc.in_(list(chunk)))
        ):
            found[str(code)] = int(sid)
    return found


def credit_status(
    conn: sa.Connection, catalog: Catalog, codes: Sequence[str], *, audience: Audience,
    as_of: date,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """USCC → ``{"registered", "lists": [{list_type, name, kind}], "penalties", "status",
    "status_zh"}``; status is ``listed`` (a punishing list), ``penalised``, ``clean`` or
    ``unknown`` (no registered subject with this code)."""
    ids = _subject_ids(conn, codes)
    by_id = {sid: code for code, sid in ids.items()}
    on_lists: dict[int, list[dict[str, Any]]] = {sid: [] for sid in by_id}
    penalties: dict[int, int] = dict.fromkeys(by_id, 0)
    wanted = sorted(by_id)
    for lt in lists.list_types(catalog).values():
        for chunk in dialect.chunked(wanted):
            query = sa.select(records.c.subject_id).distinct().where(
                records.c.subject_id.in_(list(chunk)), lists.applies_now(lt, as_of),
                decisions.visible_now(audience, as_of),
            )  # fmt: skip
            for (sid,) in conn.execute(query):
                on_lists[sid].append({"list_type": lt.code, "name": lt.name, "kind": lt.kind})
    if PENALTY in catalog:
        for chunk in dialect.chunked(wanted):
            for sid, n in conn.execute(
                sa.select(records.c.subject_id, sa.func.count())
                .where(records.c.subject_id.in_(list(chunk)), records.c.dataset == PENALTY,
                       decisions.visible_now(audience, as_of))
                .group_by(records.c.subject_id)
            ):  # fmt: skip
                penalties[sid] = int(n)
    out: dict[str, dict[str, Any]] = {}
    for code in codes:
        sid = ids.get(code)
        if sid is None:
            out[code] = {"registered": False, "lists": [], "penalties": 0, "status": "unknown",
                         "status_zh": "未查到登记主体"}  # fmt: skip
            continue
        found = on_lists[sid]
        if any(e["kind"] == "punish" for e in found):
            status, zh = (
                "listed",
                "列入" + "、".join(e["name"] for e in found if e["kind"] == "punish"),
            )
        elif penalties[sid]:
            status, zh = "penalised", f"有 {penalties[sid]} 条公示中的行政处罚"
        else:
            status, zh = "clean", "无失信名单和公示中的行政处罚"
        rewards = [e["name"] for e in found if e["kind"] == "reward"]
        if rewards:
            zh += "；列入" + "、".join(rewards)
        out[code] = {"registered": True, "lists": found, "penalties": penalties[sid],
                     "status": status, "status_zh": zh}  # fmt: skip
    return out
