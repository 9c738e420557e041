"""大数据监管 API: a subject's related-party graph (public, masked), and for the credit centre
the linkage review queue and the warnings queue (back-office session, centre admins only).

Warnings and matches are internal: no API key and no public route reads them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from gongxin.clock import local_date
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.supervision import graph, matches, warning_queue
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, IdPath

router = APIRouter(prefix="/api/v1", tags=["大数据监管 supervision"])
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]


class GraphNode(BaseModel):
    id: int
    name: str
    uscc: str | None
    degree: int = Field(description="0 本主体，1 一度关联，2 二度关联")
    lists: list[str] = Field(description="当日有效的名单 (lists in force)")
    penalties_in_force: int


class GraphEdge(BaseModel):
    source: int
    target: int
    relation: str = Field(description="legal_rep | investor | address | phone | email | investment")
    title: str
    via: str = Field(description="共同之处（个人信息按规则脱敏）")


class GraphOut(BaseModel):
    subject_id: int
    depth: int = Field(description="关系深度上限 (bound on depth)")
    max_nodes: int = Field(description="节点数上限 (bound on nodes)")
    truncated: bool = Field(description="是否因上限而截断")
    as_of: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


@router.get(
    "/subjects/{code}/graph",
    summary="主体关联关系图 (a subject's related parties)",
    response_model=GraphOut,
)
def subject_graph(
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    depth: Annotated[int, Query(le=100, description="关系深度 1 或 2")] = 2,
    max_nodes: Annotated[int, Query(le=MAX_PAGE, description=f"节点上限 1–{graph.MAX_NODES}")] = 50,
) -> dict[str, Any]:
    """First- and second-degree relations, each node with its credit status; person names
    masked for the public."""
    as_of = local_date(now)
    with engine.connect() as conn:
        subject = profiles.find(conn, code)
        found = graph.neighbourhood(
            conn, catalog, int(subject["id"]), as_of, Audience.PUBLIC,
            depth=depth, max_nodes=max_nodes,
        )  # fmt: skip
    return asdict(found) | {"as_of": as_of.isoformat()}


# Answered as the queue's own record of a match (supervision.matches.Match)


class MatchDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["confirm", "reject", "undo"]
    revision: int = Field(description="页面所示版本 (the revision shown)")
    reason: str | None = None


@router.get(
    "/supervision/matches",
    summary="主体匹配复核队列 (linkage review queue)",
    response_model=list[matches.Match],
)
def list_matches(
    engine: EngineDep,
    user: CentreAdmin,
    status: Annotated[
        Literal["review", "linked", "rejected", "undone"], Query(description="状态")
    ] = "review",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [asdict(m) for m in matches.list_matches(conn, status, limit=limit)]


@router.post(
    "/supervision/matches/{match_id}/decision",
    summary="确认、驳回或撤销匹配 (decide a match)",
    response_model=matches.Match,
)
def decide_match(
    match_id: IdPath, body: MatchDecision, engine: EngineDep, now: NowDep, user: CentreAdmin
) -> dict[str, Any]:
    actor = f"user:{user.username}"
    with engine.begin() as conn:
        if body.decision == "undo":
            done = matches.undo(
                conn, match_id, revision=body.revision, actor=actor, now=now,
                reason=body.reason or "",
            )  # fmt: skip
        else:
            done = matches.decide(
                conn, match_id, body.decision, revision=body.revision, actor=actor, now=now,
                reason=body.reason,
            )  # fmt: skip
    return asdict(done)


# Answered as the queue's own record of a warning (supervision.warning_queue.WarningEntry)


class WarningDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["assign", "confirm", "dismiss"]
    revision: int = Field(description="页面所示版本 (the revision shown)")
    assignee: str | None = None
    reason: str | None = None


@router.get(
    "/supervision/warnings",
    summary="预警队列 (warnings queue)",
    response_model=list[warning_queue.WarningEntry],
)
def list_warnings(
    engine: EngineDep,
    user: CentreAdmin,
    status: Annotated[
        Literal["open", "assigned", "confirmed", "dismissed"] | None, Query(description="状态")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [asdict(w) for w in warning_queue.list_warnings(conn, status, limit=limit)]


@router.post(
    "/supervision/warnings/{warning_id}/decision",
    summary="分派、确认或排除预警 (act on a warning)",
    response_model=warning_queue.WarningEntry,
)
def decide_warning(
    warning_id: IdPath, body: WarningDecision, engine: EngineDep, now: NowDep, user: CentreAdmin
) -> dict[str, Any]:
    actor = f"user:{user.username}"
    with engine.begin() as conn:
        if body.action == "assign":
            done = warning_queue.assign(
                conn, warning_id, revision=body.revision, assignee=body.assignee or "",
                actor=actor, now=now,
            )  # fmt: skip
        elif body.action == "confirm":
            done = warning_queue.confirm(
                conn, warning_id, revision=body.revision, actor=actor, now=now, reason=body.reason
            )
        else:
            done = warning_queue.dismiss(
                conn, warning_id, revision=body.revision, actor=actor, now=now,
                reason=body.reason or "",
            )  # fmt: skip
    return asdict(done)
