"""Simulating a change of the publicity regimes (公示期规则).

The candidate folder is read and checked whole (``regimes.read_folder``: a malformed file is
refused before anything runs); then every stored record is judged again by the gate's own
recompute (``records.recompute.batch``, a dry run) with the candidate regimes in force in this
context only (``regimes.trying``). The stored decisions are the gate's answer under the rules
in force, so the folder in force reports no change.

Counted: the kinds of decision change recompute names (became public, no longer public, window
changed …); which records would appear on or leave the public pages on the simulation's day;
and the credit checks that would answer differently: subjects whose list entries would start or
stop applying.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.records import recompute, regimes
from gongxin.sanctions.lists import list_types
from gongxin.simulation.report import Example, Simulation, digest_of

LABELS: dict[str, tuple[str, str]] = {
    "appear_today": ("当日起出现在公示中", "would appear on the public pages on the day"),
    "leave_today": ("当日起从公示中撤下", "would leave the public pages on the day"),
    **recompute.KINDS,
    "checks": ("信用核查结果变化的主体", "subjects whose credit check would answer differently"),
}


def _public_on(values: dict[str, Any], day: date) -> bool:
    if not values["is_public"] or values["status"] != "in_force":
        return False
    first, last = values["pub_from"], values["pub_until"]
    return (first is None or first <= day) and (last is None or day <= last)


def _window(values: dict[str, Any]) -> str:
    if not values["is_public"]:
        return "不公开 (not public)"
    first, last = values["pub_from"], values["pub_until"]
    return f"{first or '—'} 至 {last or '长期'}"


def simulate(
    store: sa.Engine, catalog: Catalog, folder: Path, *, as_of: date, size: int = recompute.BATCH
) -> Simulation:
    """What the regimes in ``folder`` (laid over the packaged ones) would change, on ``as_of``."""
    candidate = regimes.read_folder(folder)  # refuses a malformed file before anything runs
    sim = Simulation("regimes", str(folder), digest_of(folder), as_of, "gate", labels=LABELS)
    list_datasets = {lt.dataset for lt in list_types(catalog).values()}
    checks: set[str] = set()

    def seen(row: Any, old: dict[str, Any], new: dict[str, Any], kinds: list[str]) -> None:
        spec = catalog.get(row.dataset)
        keys = spec.subject_keys
        data = dict(row.data)
        who = str(data.get(keys.name or "") or data.get(keys.uscc or "") or "—")
        what = f"{spec.name} 记录 {row.id}"
        before, after = _window(old), _window(new)
        for kind in kinds:
            sim.count(kind, Example(kind, who, what, before, after))
        was, now = _public_on(old, as_of), _public_on(new, as_of)
        if was != now:
            change = "appear_today" if now else "leave_today"
            sim.count(change, Example(change, who, what, before, after))
        if (
            row.dataset in list_datasets
            and (
                old["status"] != new["status"]
                or old["in_force"] != new["in_force"]
                or (old["pub_from"], old["pub_until"]) != (new["pub_from"], new["pub_until"])
            )
            and who not in checks
        ):
            checks.add(who)
            sim.count("checks", Example("checks", who, what, before, after))

    report = recompute.Report(dry_run=True)
    with regimes.trying(candidate), store.connect() as conn:
        while recompute.batch(conn, catalog, report, report.last_id, size, seen=seen):
            pass
    sim.looked = report.looked
    if report.unknown:
        sim.notes.append(
            f"{report.unknown} 条记录属于目录中没有的数据集，未判断 "
            f"({report.unknown} records of datasets the catalog lacks were not judged)"
        )
    return sim
