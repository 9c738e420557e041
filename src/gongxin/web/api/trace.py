"""产品溯源 (product traceability) for the public and regulators: a batch's chain with each
node's credit status, and the recall list of every downstream node holding the batch. Read
through the visibility gate as the public sees the records (gongxin.approval.trace)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gongxin.approval import trace
from gongxin.clock import local_date
from gongxin.web.deps import CatalogDep, EngineDep, NowDep

router = APIRouter(prefix="/api/v1/trace", tags=["产品溯源 product traceability"])

Product = Annotated[str | None, Query(max_length=200, description="产品名称")]
BatchQ = Annotated[str | None, Query(max_length=100, description="批次号")]
CodeQ = Annotated[str | None, Query(max_length=64, description="追溯码（代替产品名称和批次号）")]
NodeQ = Annotated[str | None, Query(max_length=20, description="节点统一社会信用代码")]


class ListOut(BaseModel):
    list_type: str
    name: str
    kind: str = Field(description="punish 惩戒 / reward 激励")


class CreditOut(BaseModel):
    registered: bool
    status: str = Field(description="listed 列入失信名单 / penalised 有行政处罚 / clean / unknown")
    status_zh: str
    lists: list[ListOut]
    penalties: int = Field(description="公示中的行政处罚条数")


class NodeOut(BaseModel):
    code: str = Field(description="节点统一社会信用代码")
    name: str
    node_type: str
    stage: str = Field(description="生产 / 流通 / 消费")
    received: Decimal = Field(description="收到（生产）的数量")
    passed_on: Decimal = Field(description="转给下游的数量")
    held: Decimal = Field(description="收到减转出（物料平衡）")
    reported: bool = Field(description="本节点报送了自己的追溯记录")
    credit: CreditOut
    level: int | None = Field(None, description="距源头的环节数")
    distance: int | None = Field(None, description="距所查节点的环节数")
    gap: bool | None = Field(None, description="转出多于收到（物料平衡缺口）")


class LinkOut(BaseModel):
    from_: str | None = Field(alias="from", description="上游节点")
    to: str
    quantity: Decimal
    unit: str
    date: str
    record_id: int


class ChainOut(BaseModel):
    product: str
    batch: str
    category: str
    trace_codes: list[str]
    nodes: list[NodeOut]
    links: list[LinkOut]
    node: str | None
    upstream: list[NodeOut] = Field(description="所查节点的上游（来源可查）")
    downstream: list[NodeOut] = Field(description="所查节点的下游（去向可追）")


class RecallOut(BaseModel):
    product: str
    batch: str
    category: str
    sources: list[NodeOut]
    holders: list[NodeOut] = Field(description="持有该批次的下游节点")
    held_total: Decimal
    units: list[str]


@router.get("/chain", summary="批次追溯链条 (a batch's chain)")
def batch_chain(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, product: Product = None,
    batch: BatchQ = None, trace_code: CodeQ = None, node: NodeQ = None,
) -> ChainOut:  # fmt: skip
    with engine.connect() as conn:
        found = trace.chain(conn, catalog, product=product, batch=batch, trace_code=trace_code,
                            node=node, as_of=local_date(now))  # fmt: skip
    return ChainOut.model_validate(found)


@router.get("/recall", summary="召回范围 (every downstream holder of a batch)")
def batch_recall(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, product: Product = None,
    batch: BatchQ = None, trace_code: CodeQ = None, node: NodeQ = None,
) -> RecallOut:  # fmt: skip
    with engine.connect() as conn:
        found = trace.recall(conn, catalog, product=product, batch=batch, trace_code=trace_code,
                             node=node, as_of=local_date(now))  # fmt: skip
    return RecallOut.model_validate(found)
