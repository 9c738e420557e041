"""The related-party graph around one subject: first- and second-degree relations.

Two subjects are related when their registrations share a party or contact point
(``subject_parties``: the legal representative by the keyed hash of the ID number, an
investor, the address, the phone, the e-mail) or when one invests in the other (an investor
given by the other's USCC). Each node carries its credit status on ``as_of``: the lists it is
on and its penalties in force.

A neighbourhood is bounded: at most ``depth`` (1 or 2) steps and ``max_nodes`` nodes; the
answer states both bounds and whether it was cut. Personal data follows the gate: for the
public audience a person's name is masked (a legal representative, a natural-person investor).
The full edge list for the whole register is the ``related_parties`` analytics job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.models import records, subjects
from gongxin.db.supervision_tables import subject_parties
from gongxin.errors import InvalidInput, NotFound
from gongxin.records.decisions import in_force_now
from gongxin.records.gate import Audience
from gongxin.records.masks import mask_person_name

RELATIONS = {
    "legal_rep": "同一法定代表人",
    "investor": "同一投资人",
    "address": "同一住所",
    "phone": "同一电话",
    "email": "同一电子邮箱",
    "investment": "投资",
}
MAX_NODES = 200
_ORGANISATION_WORDS = ("公司", "企业", "集团", "中心", "合作社", "厂", "店", "所", "会", "局")


@dataclass
class Node:
    id: int
    name: str
    uscc: str | None
    degree: int  # 0 the subject itself, 1 or 2
    lists: list[str] = field(default_factory=list)  # dataset names of lists in force
    penalties_in_force: int = 0


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    relation: str  # a key of RELATIONS
    title: str
    via: str  # what they share, masked as the audience requires


@dataclass
class Neighbourhood:
    subject_id: int
    depth: int
    max_nodes: int
    truncated: bool
    nodes: list[Node]
    edges: list[Edge]


def _is_person(kind: str, key: str, label: str) -> bool:
    if kind == "legal_rep":
        return True
    return (
        kind == "investor"
        and key.startswith("name:")
        and not any(w in label for w in _ORGANISATION_WORDS)
    )


def _via(kind: str, key: str, label: str, audience: Audience) -> str:
    if _is_person(kind, key, label) and audience is Audience.PUBLIC:
        return mask_person_name(label) if label else ""
    return label


def _step(
    conn: sa.Connection, frontier: list[int], audience: Audience, budget: int
) -> tuple[list[Edge], bool]:
    """Edges from the frontier subjects to any other subject; cut after ``budget`` edges."""
    mine = subject_parties.alias("mine")
    other = subject_parties.alias("other")
    edges: list[Edge] = []
    for chunk in dialect.chunked(frontier):
        shared = (
            sa.select(mine.c.subject_id, other.c.subject_id, mine.c.kind, mine.c.key, mine.c.label)
            .join(
                other,
                sa.and_(
                    other.c.kind == mine.c.kind,
                    other.c.key == mine.c.key,
                    other.c.subject_id != mine.c.subject_id,
                ),
            )
            .where(mine.c.subject_id.in_(chunk))
            .order_by(mine.c.subject_id, other.c.subject_id, mine.c.kind)
            .limit(budget + 1)
        )
        for a, b, kind, key, label in conn.execute(shared):
            edges.append(Edge(a, b, kind, RELATIONS[kind], _via(kind, key, label, audience)))
        edges += _investments(conn, chunk, budget)
        if len(edges) > budget:
            return edges[:budget], True
    return edges, False


def _investments(conn: sa.Connection, chunk: Sequence[int], budget: int) -> list[Edge]:
    """Investment edges of the chunk's subjects, both ways, each lookup on an index (the
    parties' subject, the subjects' USCC, the parties' kind and key): a join lets SQLite's
    planner scan every investor row instead."""
    sp = subject_parties.c
    found: set[tuple[int, int, str | None]] = set()
    own = conn.execute(sa.select(sp.subject_id, sp.kind, sp.key, sp.share).where(
        sp.subject_id.in_(chunk))).all()  # fmt: skip
    inward = {(key, sid, share) for sid, kind, key, share in own if kind == "investor"}
    keys = sorted({key for key, _, _ in inward})
    ids: dict[str, int] = {}
    for part in dialect.chunked(keys):
        query = sa.select(subjects.c.uscc, subjects.c.id).where(subjects.c.uscc.in_(part))
        ids.update({uscc: int(i) for uscc, i in conn.execute(query)})
    found.update((ids[key], int(sid), share) for key, sid, share in inward if key in ids)
    mine = sa.select(subjects.c.uscc, subjects.c.id).where(
        subjects.c.id.in_(chunk), subjects.c.uscc.is_not(None))  # fmt: skip
    usccs = {uscc: int(i) for uscc, i in conn.execute(mine)}
    for part in dialect.chunked(sorted(usccs)):
        # no ORDER BY … LIMIT here: it would lead SQLite to walk the subject index instead
        outward = sa.select(sp.key, sp.subject_id, sp.share).where(
            sp.kind == "investor", sp.key.in_(part)
        )
        found.update((usccs[key], int(firm), share) for key, firm, share in conn.execute(outward))
    return [
        Edge(source, firm, "investment", RELATIONS["investment"],
             f"出资 {share}%" if share else "出资")
        for source, firm, share in sorted(found, key=lambda t: (t[0], t[1]))[: budget + 1]
    ]  # fmt: skip


def neighbourhood(
    conn: sa.Connection,
    catalog: Catalog,
    subject_id: int,
    as_of: date,
    audience: Audience,
    *,
    depth: int = 2,
    max_nodes: int = 50,
) -> Neighbourhood:
    """The subject's related parties up to ``depth`` steps, at most ``max_nodes`` nodes."""
    if depth not in (1, 2):
        raise InvalidInput(
            f"关系深度只能是 1 或 2，收到 {depth}", f"depth must be 1 or 2, got {depth}",
            field="depth", value=depth,
        )  # fmt: skip
    if not 1 <= max_nodes <= MAX_NODES:
        raise InvalidInput(
            f"节点上限须在 1 到 {MAX_NODES} 之间，收到 {max_nodes}",
            f"max_nodes must be between 1 and {MAX_NODES}, got {max_nodes}",
            field="max_nodes",
            value=max_nodes,
        )
    if conn.execute(sa.select(subjects.c.id).where(subjects.c.id == subject_id)).first() is None:
        raise NotFound(f"没有编号为 {subject_id} 的主体", f"no subject {subject_id}")
    degree = {subject_id: 0}
    edges: list[Edge] = []
    seen_edges: set[tuple[int, int, str]] = set()
    truncated = False
    frontier = [subject_id]
    for step in (1, 2)[:depth]:
        found, cut = _step(conn, frontier, audience, budget=max_nodes * 8)
        truncated |= cut
        nxt: list[int] = []
        for e in found:
            for node in (e.source, e.target):
                if node not in degree:
                    if len(degree) >= max_nodes:
                        truncated = True
                        continue
                    degree[node] = step
                    nxt.append(node)
            key = (min(e.source, e.target), max(e.source, e.target), e.relation)
            if e.source in degree and e.target in degree and key not in seen_edges:
                seen_edges.add(key)
                edges.append(e)
        frontier = nxt
        if not frontier:
            break
    nodes = _nodes(conn, catalog, degree, as_of)
    return Neighbourhood(subject_id, depth, max_nodes, truncated, nodes, edges)


def _nodes(
    conn: sa.Connection, catalog: Catalog, degree: dict[int, int], as_of: date
) -> list[Node]:
    ids = sorted(degree)
    nodes: dict[int, Node] = {}
    lists = [s.code for s in catalog if s.list_type and s.info_class != "诚实守信"]
    names = {s.code: s.name for s in catalog}
    for chunk in dialect.chunked(ids):
        query = sa.select(subjects.c.id, subjects.c.name, subjects.c.uscc).where(
            subjects.c.id.in_(chunk)
        )
        for sid, name, code in conn.execute(query):
            nodes[sid] = Node(sid, name, code, degree[sid])
        status = (
            sa.select(records.c.subject_id, records.c.dataset, sa.func.count())
            .where(
                records.c.subject_id.in_(chunk),
                # `dataset || ''`: not an index term, so that SQLite looks the few subjects up
                # by subject_id instead of walking every list and penalty record by dataset
                records.c.dataset.concat("").in_([*lists, "penalty"]),
                in_force_now(as_of),
            )
            .group_by(records.c.subject_id, records.c.dataset)
        )
        for sid, dataset, n in conn.execute(status):
            if dataset == "penalty":
                nodes[sid].penalties_in_force = int(n)
            else:
                nodes[sid].lists.append(names[dataset])
    return sorted(nodes.values(), key=lambda n: (n.degree, n.id))
