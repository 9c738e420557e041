"""Portal pages of product traceability (产品溯源): a batch's chain from a trace code or a
product and batch, each node with its credit status, and the recall list. The same service
functions as the API (gongxin.approval.trace)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from gongxin.approval import trace
from gongxin.catalog.registry import Catalog
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
    return _page(
        trace.chain, "trace/chain.html", engine, catalog, now, product, batch, trace_code, node
    )


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_page(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, product: Text = "", batch: Text = "",
    trace_code: Text = "", node: Text = "",
) -> HTMLResponse:  # fmt: skip
    return _page(
        trace.recall, "trace/recall.html", engine, catalog, now, product, batch, trace_code, node
    )


def _page(
    look_up: Callable[..., dict[str, Any]], template: str, engine: sa.Engine, catalog: Catalog,
    now: datetime, product: str, batch: str, trace_code: str, node: str,
) -> HTMLResponse:  # fmt: skip
    """The form with what was asked; the answer of ``look_up`` (chain or recall) once a trace
    code or a batch is given, or the error in its place."""
    asked = {"product": product, "batch": batch, "trace_code": trace_code, "node": node}
    if not (trace_code or batch):
        return render(template, asked=asked, found=None)
    try:
        with engine.connect() as conn:
            found = look_up(
                conn,
                catalog,
                product=product,
                batch=batch,
                trace_code=trace_code,
                node=node,
                as_of=local_date(now),
            )
    except GongxinError as exc:
        return render(template, exc.status, asked=asked, found=None, error=exc)
    return render(template, asked=asked, found=found)
