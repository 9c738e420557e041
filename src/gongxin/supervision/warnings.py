"""Running the warning rules (预警) on the analytics engine and keeping their findings.

One run takes a snapshot of the store, runs every rule's check (``kinds.py``) on the chosen
engine (DuckDB or Spark: the same answers) and keeps one warning per rule and subject: the
rule, rules version, severity, legal hook, an explanation in plain language from the rule's
template and the evidence (related subjects, records, details, values). A warning already
open or assigned is refreshed; one confirmed or dismissed keeps the centre's decision.
Warnings are internal to the credit centre and never public.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.analytics import jobs, snapshot
from gongxin.analytics.engines import Engine
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import subjects
from gongxin.db.supervision_tables import warnings
from gongxin.supervision import kinds
from gongxin.supervision.rules import Rule, RuleFile

TABLES = ("subjects", "records", "subject_parties", "subject_changes")
MAX_EVIDENCE = 50  # evidence items kept per warning (the count is kept too)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    subject_id: int
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class RunSummary:
    found: dict[str, int]  # rule id → subjects warned about
    new: int
    refreshed: int


def find(rules: RuleFile, taken: snapshot.Snapshot, engine: Engine, as_of: date) -> list[Finding]:
    """Every rule's findings over a snapshot, grouped by subject (ordered by rule, subject)."""
    findings: list[Finding] = []
    for rule in rules.rules:
        rows = jobs.run(kinds.job(rule), taken, engine, as_of).to_pylist()
        grouped: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            sid = row.pop("subject_id")
            if sid is not None:
                grouped.setdefault(int(sid), []).append(row)
        findings += [Finding(rule, sid, ev) for sid, ev in sorted(grouped.items())]
    return findings


def _names(conn: sa.Connection, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in dialect.chunked(sorted(set(ids))):
        query = sa.select(subjects.c.id, subjects.c.name).where(subjects.c.id.in_(chunk))
        found.update({sid: name for sid, name in conn.execute(query)})
    return found


def _value(v: Any) -> str:
    """A count as an integer, a rate with one decimal."""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.1f}"
    return str(v)


def explain(finding: Finding, names: dict[int, str], catalog: Catalog) -> str:
    first = finding.evidence[0]
    detail = first.get("detail") or ""
    if any(spec.code == detail for spec in catalog):  # a dataset code: its name reads better
        detail = catalog.get(detail).name
    related = first.get("related_id")
    fields = {
        "subject": names.get(finding.subject_id, str(finding.subject_id)),
        "related": names.get(int(related), str(related)) if related is not None else "",
        "detail": detail,
        "value": _value(first.get("value")) if first.get("value") is not None else "",
        "baseline": _value(first.get("baseline")) if first.get("baseline") is not None else "",
        "record": first.get("record_id") or "",
        **finding.rule.typed_params().model_dump(),
    }
    text = finding.rule.explain.format(**fields)
    if len(finding.evidence) > 1:
        text += f"（另有 {len(finding.evidence) - 1} 项证据）"
    return text


def store(
    conn: sa.Connection,
    catalog: Catalog,
    rules: RuleFile,
    findings: Sequence[Finding],
    now: datetime,
) -> tuple[int, int]:
    """Keep the findings: new warnings open, open ones refreshed. Returns (new, refreshed)."""
    ids = [f.subject_id for f in findings]
    ids += [int(e["related_id"]) for f in findings for e in f.evidence if e.get("related_id")]
    names = _names(conn, ids)
    existing = {
        (rule_id, sid): (wid, status)
        for wid, rule_id, sid, status in conn.execute(
            sa.select(warnings.c.id, warnings.c.rule_id, warnings.c.subject_id, warnings.c.status)
        )
    }
    new = refreshed = 0
    for f in findings:
        values = {
            "rules_version": rules.version,
            "severity": f.rule.severity,
            "title": f.rule.title,
            "legal_hook": f.rule.legal_hook,
            "explanation": explain(f, names, catalog),
            "evidence": {"count": len(f.evidence), "items": f.evidence[:MAX_EVIDENCE]},
            "last_seen_at": now,
        }
        found = existing.get((f.rule.id, f.subject_id))
        if found is None:
            conn.execute(
                sa.insert(warnings).values(
                    rule_id=f.rule.id,
                    subject_id=f.subject_id,
                    status="open",
                    revision=1,
                    first_seen_at=now,
                    **values,
                )
            )
            new += 1
        elif found[1] in ("open", "assigned"):
            conn.execute(
                sa.update(warnings)
                .where(warnings.c.id == found[0])
                .values(revision=warnings.c.revision + 1, **values)
            )
            refreshed += 1
        else:
            conn.execute(
                sa.update(warnings).where(warnings.c.id == found[0]).values(last_seen_at=now)
            )
    return new, refreshed


def run(
    db: sa.Engine,
    catalog: Catalog,
    rules: RuleFile,
    engine: Engine,
    *,
    as_of: date,
    now: datetime,
    work_dir: Path,
) -> RunSummary:
    """Snapshot the store, run every rule on ``engine`` and keep the warnings."""
    taken = snapshot.take(db, work_dir, tables=TABLES, now=now)
    findings = find(rules, taken, engine, as_of)
    with db.begin() as conn:
        new, refreshed = store(conn, catalog, rules, findings, now)
    counts: dict[str, int] = {rule.id: 0 for rule in rules.rules}
    for f in findings:
        counts[f.rule.id] += 1
    return RunSummary(counts, new, refreshed)
