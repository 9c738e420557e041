"""Credit commitments: a department records them and their outcome; anyone reads the list."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from gongxin.clock import local_date
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.records.gate import Audience
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, IdPath
from gongxin.workflows import commitments

router = APIRouter(prefix="/api/v1", tags=["信用承诺 credit commitments"])
CommitmentKey = Annotated[Department, Depends(require_scope(Scope.COMMITMENT))]


class NewCommitment(BaseModel):
    """A commitment the key's department accepted (it becomes 承诺受理部门)."""

    model_config = ConfigDict(extra="forbid")
    subject_name: str = Field(description="承诺主体名称")
    subject_category: str = Field(description="主体类别：法人及非法人组织 / 自然人 / 个体工商户")
    uscc: str | None = Field(None, description="统一社会信用代码（单位、个体工商户）")
    id_type: str | None = Field(None, description="证件类型（自然人）")
    id_number: str | None = Field(None, description="证件号码（自然人）")
    legal_rep: str | None = Field(None, description="法定代表人")
    type: str = Field(
        description="承诺类型：审批替代型 / 容缺受理型 / 行业自律型 / 主动型 / 修复型"
    )
    matter: str = Field(description="承诺事项")
    content: str = Field(description="承诺内容")
    date: str = Field(description="承诺日期 YYYY-MM-DD")
    valid_until: str | None = Field(None, description="承诺有效期至（长期：2099-12-31）")
    remarks: str | None = Field(None, description="备注")


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(description="已履约 (fulfilled) / 未履约 (broken)")
    details: str | None = Field(None, description="未履约情况：未履行的承诺内容和处理结果")
    found_on: date | None = Field(None, description="核查日期（默认今天）")


def _out(c: commitments.Commitment) -> dict[str, Any]:
    return asdict(c) | {"category": c.category_label}


@router.post("/commitments", status_code=201, summary="登记信用承诺 (record a commitment)")
def make_commitment(
    body: NewCommitment,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: CommitmentKey,
) -> dict[str, Any]:
    """Record a commitment accepted by the key's department; its status starts as 履约中.
    400 names the field, value and rule broken; 409 when it is already recorded."""
    fields = body.model_dump(exclude_none=True)
    with engine.begin() as conn:
        made = commitments.make(conn, catalog, department, fields, now=now, actor=actor_of(request))
    return _out(made)


@router.post(
    "/commitments/{commitment_id}/outcome",
    summary="登记履约结果 (record fulfilment or breach)",
)
def record_outcome(
    commitment_id: IdPath,
    body: Outcome,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: CommitmentKey,
) -> dict[str, Any]:
    """已履约 or 未履约 (with details and the date found) for a commitment still 履约中; only
    the accepting department may. The change is a correction: the earlier version is kept."""
    with engine.begin() as conn:
        done = commitments.record_outcome(
            conn, catalog, department, commitment_id, body.status, now=now,
            actor=actor_of(request), details=body.details, found_on=body.found_on,
        )  # fmt: skip
    return _out(done)


@router.get("/commitments", summary="信用承诺公示 (public list of commitments)")
def list_commitments(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    page: Annotated[int, Query(le=MAX_PAGE, description="页码 (page, from 1)")] = 1,
    size: Annotated[int, Query(le=MAX_PAGE, description="每页条数 (1–100)")] = 20,
    type: Annotated[str | None, Query(description="承诺类型")] = None,
    status: Annotated[str | None, Query(description="履约状态：履约中 / 已履约 / 未履约")] = None,
    subject: Annotated[str | None, Query(description="主体代码 (USCC)")] = None,
) -> dict[str, Any]:
    """Commitments the public may see today, newest first, personal data masked; a broken one
    is marked ``negative`` (失信信息)."""
    as_of = local_date(now)
    with engine.connect() as conn:
        found = commitments.listing(
            conn, catalog, audience=Audience.PUBLIC, as_of=as_of, page=page, size=size,
            type=type or None, status=status or None, subject=subject or None,
        )  # fmt: skip
    return {
        "as_of": as_of, "page": found.page, "size": found.size, "has_more": found.has_more,
        "results": [_out(c) for c in found.items],
    }  # fmt: skip


@router.get("/commitments/{commitment_id}", summary="一项信用承诺及其历史 (one commitment)")
def get_commitment(
    commitment_id: IdPath, engine: EngineDep, catalog: CatalogDep, now: NowDep
) -> dict[str, Any]:
    """The commitment as the public sees it today, with its earlier versions."""
    as_of = local_date(now)
    with engine.connect() as conn:
        versions = commitments.history(
            conn, catalog, commitment_id, audience=Audience.PUBLIC, as_of=as_of
        )
    return _out(versions[-1]) | {"history": [_out(v) for v in versions[:-1]]}
