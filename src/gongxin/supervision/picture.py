"""A picture of a neighbourhood as inline SVG, laid out by the platform itself (no external
service): the subject in the centre, first-degree neighbours on an inner ring, second-degree on
an outer ring; nodes coloured by credit status, edges labelled by relation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gongxin.supervision.graph import Neighbourhood, Node

SIZE = 640
RINGS = {0: 0.0, 1: 170.0, 2: 290.0}


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float
    status: str  # listed | penalised | clear

    @property
    def label(self) -> str:
        return self.node.name if len(self.node.name) <= 12 else self.node.name[:11] + "…"


@dataclass(frozen=True)
class PlacedEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str
    via: str


@dataclass(frozen=True)
class Picture:
    size: int
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]


def _status(node: Node) -> str:
    if node.lists:
        return "listed"
    return "penalised" if node.penalties_in_force else "clear"


def lay_out(graph: Neighbourhood) -> Picture:
    centre = SIZE / 2
    placed: dict[int, PlacedNode] = {}
    for degree, radius in RINGS.items():
        ring = [n for n in graph.nodes if n.degree == degree]
        for i, node in enumerate(ring):
            angle = 2 * math.pi * i / max(1, len(ring)) - math.pi / 2 + degree * 0.3
            x = centre + radius * math.cos(angle)
            y = centre + radius * math.sin(angle)
            placed[node.id] = PlacedNode(node, round(x, 1), round(y, 1), _status(node))
    edges = [
        PlacedEdge(a.x, a.y, b.x, b.y, e.title, e.via)
        for e in graph.edges
        if (a := placed.get(e.source)) and (b := placed.get(e.target))
    ]
    return Picture(SIZE, list(placed.values()), edges)
