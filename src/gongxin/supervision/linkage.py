"""Linking records that carry no usable code to subjects, with a Splink model (DuckDB or Spark).

Records waiting for a subject (待关联) whose code is missing, invalid or only a legacy code
(15-digit registration number, organisation code) are compared with every subject sharing a
blocking key, on normalised name, legacy codes, address and legal representative (``model.py``). For
each record the best candidate decides:

- probability ≥ ``thresholds.link`` and no second candidate within ``thresholds.margin`` bits
  of match weight: linked automatically;
- ≥ ``thresholds.review`` (or a close second candidate): the review queue (``matches.py``);
- below: nothing is stored; the record stays 待关联 and is scored again next run.

Every match stores its method, probability, model version and an explanation: each
comparison's level and weight (log2 of its Bayes factor), split into what agreed and what
disagreed. A pair once rejected or undone is never proposed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, subjects
from gongxin.db.supervision_tables import subject_matches
from gongxin.subjects.names import normalise_name
from gongxin.subjects.parties import normalise_address
from gongxin.supervision.model import LinkageModel
from gongxin.supervision.scoring import score, to_simplified

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

# Record kinds the model links: no code, or a legacy code with no subject of that code.
LINKABLE = (None, "reg_no", "org_code")
_LEGAL_REP = {"法定代表人", "法人代表", "法定代表人姓名"}
_ADDRESS = {"注册地址", "住所", "地址", "经营场所"}


@dataclass(frozen=True)
class LinkSummary:
    considered: int  # records waiting that the model may link
    linked: int
    review: int
    unmatched: int


def _role_fields(catalog: Catalog) -> dict[str, tuple[str | None, str | None]]:
    """(legal rep field, address field) of each dataset, by the fields' names."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for spec in catalog:
        rep = next((f.code for f in spec.fields if {f.name, *f.aliases} & _LEGAL_REP), None)
        addr = next((f.code for f in spec.fields if {f.name, *f.aliases} & _ADDRESS), None)
        out[spec.code] = (rep, addr)
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def waiting_rows(conn: sa.Connection, catalog: Catalog) -> list[dict[str, Any]]:
    """The records the model may link, in the model's columns."""
    roles = _role_fields(catalog)
    busy = sa.select(subject_matches.c.record_id).where(
        subject_matches.c.status.in_(["linked", "review"])
    )
    kinds = sa.or_(
        records.c.link_kind.is_(None), records.c.link_kind.in_([k for k in LINKABLE if k])
    )
    query = (
        sa.select(
            records.c.id,
            records.c.dataset,
            records.c.subject_name,
            records.c.link_kind,
            records.c.link_code,
            records.c.data,
        )
        .where(records.c.subject_id.is_(None), kinds, records.c.id.not_in(busy))
        .order_by(records.c.id)
    )
    rows = []
    for rid, dataset, name, kind, code, data in conn.execute(query):
        rep_field, addr_field = roles.get(dataset, (None, None))
        data = data or {}
        address = _text(data.get(addr_field)) if addr_field else None
        if not _text(name) and not code:
            continue
        rows.append(
            {
                "unique_id": rid,
                "name_norm": to_simplified(normalise_name(name)) if _text(name) else None,
                "reg_no": code if kind == "reg_no" else None,
                "org_code": code if kind == "org_code" else None,
                "address": normalise_address(address) if address else None,
                "legal_rep": _text(data.get(rep_field)) if rep_field else None,
            }
        )
    return rows


def subject_rows(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    query = sa.select(
        subjects.c.id,
        subjects.c.name_norm,
        subjects.c.reg_no,
        subjects.c.org_code,
        subjects.c.address,
        subjects.c.legal_rep,
    )
    for sid, name, reg_no, org, address, rep in conn.execute(query):
        yield {
            "unique_id": sid,
            "name_norm": to_simplified(name),
            "reg_no": reg_no,
            "org_code": org,
            "address": normalise_address(address) if address else None,
            "legal_rep": rep,
        }


def explain(model: LinkageModel, pair: dict[str, Any]) -> dict[str, Any]:
    """Which comparisons agreed and which disagreed, with the level reached and its weight."""
    items: list[dict[str, Any]] = []
    for c in model.comparisons:
        gamma = int(pair[f"gamma_{c.column}"])
        weight = float(pair.get(f"mw_{c.column}", 0.0))
        items.append(
            {
                "field": c.column,
                "title": c.title,
                "level": model.level_title(c.column, gamma),
                "weight": round(weight, 3),
                "record": pair.get(f"{c.column}_l"),
                "subject": pair.get(f"{c.column}_r"),
            }
        )
    return {
        "model": model.version,
        "match_weight": round(float(pair["match_weight"]), 3),
        "comparisons": items,
        "agreed": [i["title"] for i in items if i["weight"] > 0],
        "disagreed": [i["title"] for i in items if i["weight"] < 0],
    }


def _closed_pairs(conn: sa.Connection) -> set[tuple[int, int]]:
    query = sa.select(subject_matches.c.record_id, subject_matches.c.subject_id).where(
        subject_matches.c.status.in_(["rejected", "undone"])
    )
    return {(r, s) for r, s in conn.execute(query)}


def link_waiting(
    conn: sa.Connection,
    catalog: Catalog,
    model: LinkageModel,
    now: datetime,
    *,
    spark: SparkSession | None = None,
) -> LinkSummary:
    """Score every linkable waiting record and store the outcome (see the module text); on
    Spark when a session is given, else on DuckDB."""
    waiting = waiting_rows(conn, catalog)
    pairs = score(model, waiting, list(subject_rows(conn)), spark=spark)
    closed = _closed_pairs(conn)
    by_record: dict[int, list[dict[str, Any]]] = {}
    for p in pairs:
        key = (int(p["unique_id_l"]), int(p["unique_id_r"]))
        if key not in closed:
            by_record.setdefault(key[0], []).append(p)
    linked = review = 0
    for rid, found in sorted(by_record.items()):
        found.sort(key=lambda p: (-float(p["match_probability"]), int(p["unique_id_r"])))
        best = found[0]
        probability = float(best["match_probability"])
        ambiguous = not model.is_clear([float(p["match_weight"]) for p in found])
        status = "linked" if probability >= model.thresholds.link and not ambiguous else "review"
        explanation = explain(model, best)
        if ambiguous:
            explanation["ambiguous_with"] = [int(p["unique_id_r"]) for p in found[1:4]]
        sid = int(best["unique_id_r"])
        conn.execute(
            sa.insert(subject_matches).values(
                record_id=rid,
                subject_id=sid,
                method="splink",
                probability=probability,
                explanation=explanation,
                status=status,
                revision=1,
                model_version=model.version,
                created_at=now,
            )
        )
        if status == "linked":
            conn.execute(
                sa.update(records)
                .where(records.c.id == rid, records.c.subject_id.is_(None))
                .values(subject_id=sid)
            )
            linked += 1
        else:
            review += 1
    return LinkSummary(len(waiting), linked, review, len(waiting) - linked - review)
