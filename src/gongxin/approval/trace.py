"""Product traceability (产品溯源): a batch's chain through its nodes, and the recall list.

Trace records are records of the ``trace_record`` dataset, arriving through intake like any
other (a node code failing its GB 32100 check character is rejected there). One record is one
node producing or receiving a quantity of a batch from an upstream node; the upstream codes
link the records into a directed graph of the batch, read through the visibility gate for the
caller's audience. :func:`chain` gives the batch's nodes and links, upstream and downstream of
one node when a node is named; :func:`recall` lists every node downstream of the producers (or
of a named node) that received the batch, with what it received, passed on and still holds
(mass balance, traceability.md §6). Each node carries its credit status (nodes.py).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from gongxin.approval import nodes
from gongxin.catalog.registry import Catalog
from gongxin.db.models import records
from gongxin.errors import InvalidInput, NotFound
from gongxin.records import decisions
from gongxin.records.gate import Audience

DATASET = "trace_record"
MAX_TEXT = 200
STAGES = {"生产者": "生产", "加工者": "生产", "批发商": "流通", "物流商": "流通", "零售商": "流通",
          "餐饮服务": "消费", "医疗机构": "消费"}  # fmt: skip


@dataclass(frozen=True)
class Link:
    record_id: int
    upstream: str | None  # the supplier's USCC; None for a producer's own record
    node: str
    quantity: Decimal
    unit: str
    on: str
    trace_code: str


@dataclass
class Batch:
    product: str
    batch: str
    category: str
    links: list[Link] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # USCC → name
    types: dict[str, str] = field(default_factory=dict)  # USCC → node type (its own records)


def _qty(value: Any) -> Decimal:
    """The stored quantity without trailing zeros (400.000 → 400, 12.500 → 12.5)."""
    try:
        q = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return q.quantize(Decimal(1)) if q == q.to_integral_value() else q.normalize()


def _text(value: str | None, name: str, zh: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{zh}过长（至多 {MAX_TEXT} 字）", f"{name} is too long", field=name)
    if not text.isprintable():
        raise InvalidInput(f"{zh}含有控制字符", f"{name} holds control characters", field=name)
    return text


def locate(
    conn: sa.Connection, *, product: str | None, batch: str | None, trace_code: str | None,
    audience: Audience, as_of: date,
) -> tuple[str, str]:  # fmt: skip
    """(product, batch) named directly, or found from a trace code."""
    product_ = _text(product, "product", "产品名称")
    batch_ = _text(batch, "batch", "批次号")
    code = _text(trace_code, "trace_code", "追溯码")
    if product_ and batch_:
        return product_, batch_
    if not code:
        raise InvalidInput(
            "请给出产品名称和批次号，或给出追溯码",
            "give the product and the batch, or a trace code", field="batch",
        )  # fmt: skip
    found = conn.execute(
        sa.select(records.c.data)
        .where(records.c.dataset == DATASET, records.c.data["ZS_ZSM"].as_string() == code,
               decisions.visible_now(audience, as_of))
        .limit(1)
    ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(
            f"没有追溯码为“{code[:64]}”的记录", f"no trace record has code {code[:64]!r}"
        )
    return str(found["ZS_CPMC"]), str(found["ZS_PC"])


def read_batch(
    conn: sa.Connection, product: str, batch: str, *, audience: Audience, as_of: date
) -> Batch:
    rows = conn.execute(
        sa.select(records.c.id, records.c.data)
        .where(records.c.dataset == DATASET, records.c.data["ZS_PC"].as_string() == batch,
               records.c.data["ZS_CPMC"].as_string() == product,
               decisions.visible_now(audience, as_of))
        .order_by(records.c.event_date, records.c.id)
    ).all()  # fmt: skip
    if not rows:
        raise NotFound(
            f"没有产品“{product[:60]}”批次“{batch[:60]}”的追溯记录",
            f"no trace records of product {product[:60]!r} batch {batch[:60]!r}",
        )  # fmt: skip
    out = Batch(product, batch, str(rows[0].data.get("ZS_CPLB") or ""))
    for rid, data in rows:
        node = str(data["ZS_JDDM"])
        up = data.get("ZS_SYJDDM") or None
        unit, on, code = (str(data.get(k) or "") for k in ("ZS_DW", "ZS_RQ", "ZS_ZSM"))
        out.links.append(Link(rid, up, node, _qty(data.get("ZS_SL")), unit, on, code))
        out.names.setdefault(node, str(data.get("ZS_JDMC") or node))
        out.types.setdefault(node, str(data.get("ZS_JDLX") or ""))
        if up:
            out.names.setdefault(up, str(data.get("ZS_SYJDMC") or up))
    return out


def _closure(start: str, step: dict[str, set[str]]) -> dict[str, int]:
    """Nodes reachable from ``start`` along ``step`` with their distance (start excluded)."""
    seen: dict[str, int] = {}
    todo = deque([(start, 0)])
    while todo:
        node, depth = todo.popleft()
        for nxt in sorted(step.get(node, ())):
            if nxt not in seen and nxt != start:
                seen[nxt] = depth + 1
                todo.append((nxt, depth + 1))
    return seen


def _edges(b: Batch) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    down: dict[str, set[str]] = defaultdict(set)
    up: dict[str, set[str]] = defaultdict(set)
    for link in b.links:
        if link.upstream:
            down[link.upstream].add(link.node)
            up[link.node].add(link.upstream)
    return down, up


def _node(b: Batch, code: str, credit: dict[str, dict[str, Any]]) -> dict[str, Any]:
    kind = b.types.get(code, "")
    received = sum((x.quantity for x in b.links if x.node == code), Decimal(0))
    passed = sum((x.quantity for x in b.links if x.upstream == code), Decimal(0))
    return {
        "code": code, "name": b.names.get(code, code), "node_type": kind or "未报送",
        "stage": STAGES.get(kind, ""), "received": received, "passed_on": passed,
        "held": received - passed, "reported": code in b.types, "credit": credit[code],
    }  # fmt: skip


def _check_node(b: Batch, node: str | None) -> str | None:
    code = _text(node, "node", "节点代码").upper()
    if code and code not in b.names:
        raise InvalidInput(
            f"节点 {code[:20]} 不在该批次的链条中；链条中的节点：{'、'.join(sorted(b.names))}",
            f"node {code[:20]!r} is not in this batch's chain",
            field="node", value=code[:20], valid=sorted(b.names),
        )  # fmt: skip
    return code or None


def chain(
    conn: sa.Connection, catalog: Catalog, *, product: str | None = None,
    batch: str | None = None, trace_code: str | None = None, node: str | None = None,
    audience: Audience = Audience.PUBLIC, as_of: date,
) -> dict[str, Any]:  # fmt: skip
    """The batch's chain: every node (with its credit status) and every link; with ``node``,
    the nodes upstream of it (来源可查) and downstream of it (去向可追)."""
    p, bt = locate(conn, product=product, batch=batch, trace_code=trace_code,
                   audience=audience, as_of=as_of)  # fmt: skip
    b = read_batch(conn, p, bt, audience=audience, as_of=as_of)
    start = _check_node(b, node)
    down, up = _edges(b)
    credit = nodes.credit_status(conn, catalog, list(b.names), audience=audience, as_of=as_of)
    levels = _levels(b, up)
    shown = sorted(b.names, key=lambda c: (levels.get(c, 0), b.names[c]))
    result: dict[str, Any] = {
        "product": b.product, "batch": b.batch, "category": b.category,
        "trace_codes": sorted({x.trace_code for x in b.links if x.trace_code}),
        "nodes": [_node(b, c, credit) | {"level": levels.get(c, 0)} for c in shown],
        "links": [{"from": x.upstream, "to": x.node, "quantity": x.quantity, "unit": x.unit,
                   "date": x.on, "record_id": x.record_id} for x in b.links],
        "node": start, "upstream": [], "downstream": [],
    }  # fmt: skip
    if start:
        for key, step in (("upstream", up), ("downstream", down)):
            reach = _closure(start, step)
            ordered = sorted(reach.items(), key=lambda kv: (kv[1], kv[0]))
            result[key] = [_node(b, c, credit) | {"distance": d} for c, d in ordered]
    return result


def _levels(b: Batch, up: dict[str, set[str]]) -> dict[str, int]:
    """Each node's depth from the batch's sources (nodes with no upstream)."""
    roots = [c for c in b.names if not up.get(c)]
    down, _ = _edges(b)
    levels = dict.fromkeys(roots, 0)
    for root in roots:
        for c, d in _closure(root, down).items():
            levels[c] = max(levels.get(c, 0), d)
    return levels


def recall(
    conn: sa.Connection, catalog: Catalog, *, product: str | None = None,
    batch: str | None = None, trace_code: str | None = None, node: str | None = None,
    audience: Audience = Audience.PUBLIC, as_of: date,
) -> dict[str, Any]:  # fmt: skip
    """Every node downstream of the batch's sources (or of ``node``) that received the batch,
    nearest first, with received, passed-on and held quantities; a negative holding (more
    passed on than received) is flagged as a mass-balance gap."""
    p, bt = locate(conn, product=product, batch=batch, trace_code=trace_code,
                   audience=audience, as_of=as_of)  # fmt: skip
    b = read_batch(conn, p, bt, audience=audience, as_of=as_of)
    start = _check_node(b, node)
    down, up = _edges(b)
    sources = [start] if start else [c for c in b.names if not up.get(c)]
    reach: dict[str, int] = {}
    for s in sources:
        for c, d in _closure(s, down).items():
            reach[c] = min(reach.get(c, d), d)
    credit = nodes.credit_status(conn, catalog, [*sources, *reach], audience=audience, as_of=as_of)
    ordered = sorted(reach.items(), key=lambda kv: (kv[1], b.names[kv[0]]))
    holders = [_node(b, c, credit) | {"distance": d} for c, d in ordered]
    for h in holders:
        h["gap"] = h["held"] < 0
    units = sorted({x.unit for x in b.links if x.unit})
    return {
        "product": b.product, "batch": b.batch, "category": b.category,
        "sources": [_node(b, s, credit) for s in sources], "holders": holders,
        "held_total": sum((h["held"] for h in holders if h["held"] > 0), Decimal(0)),
        "units": units,
    }  # fmt: skip
