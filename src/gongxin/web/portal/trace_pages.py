"""Portal pages of product traceability (产品溯源): a batch's chain from a trace code or a
product and batch, each node with its credit status, and the recall list. The same service
functions as the API (gongxin.approval.trace)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from gongxin.approval import trace
from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.portal.render import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=200)]


@router.get("/trace", response_class=HTMLResponse)
def chain_page(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, product: Text = "", batch: Text = "",
    trace_code: Text = "", node: Text = "",
) -> HTMLResponse:  # fmt: skip
    asked = {"product": product, "batch": batch, "trace_code": trace_code, "node": node}
    if not (trace_code or batch):
        return render("trace/chain.html", asked=asked, found=None)
    try:
        with engine.connect() as conn:
            found = trace.chain(
                conn,
                catalog,
                product=product,
                batch=batch,
                trace_code=trace_code,
                node=node,
                as_of=local_date(now),
            )
    except GongxinError as exc:
        return render("trace/chain.html", exc.status, asked=asked, found=None, error=exc)
    return render("trace/chain.html", asked=asked, found=found)


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_page(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, product: Text = "", batch: Text = "",
    trace_code: Text = "", node: Text = "",
) -> HTMLResponse:  # fmt: skip
    asked = {"product": product, "batch": batch, "trace_code": trace_code, "node": node}
    if not (trace_code or batch):
        return render("trace/recall.html", asked=asked, found=None)
    try:
        with engine.connect() as conn:
            found = trace.recall(
                conn,
                catalog,
                product=product,
                batch=batch,
                trace_code=trace_code,
                node=node,
                as_of=local_date(now),
            )
    except GongxinError as exc:
        return render("trace/recall.html", exc.status, asked=asked, found=None, error=exc)
    return render("trace/recall.html", asked=asked, found=found)
