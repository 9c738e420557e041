"""Public pages of industry credit evaluation (行业信用评价): the rounds, a round's 公示 (with
我要异议 beside each result, leading to the platform's objection form) or its published
results, and a certificate's live result (what its QR code opens). The same service functions
as the API (gongxin.market.evaluation_views)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.market import evaluation_views
from gongxin.web.deps import EngineDep, NowDep
from gongxin.web.params import IdPath
from gongxin.web.portal.render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/industry-evaluations", response_class=HTMLResponse)
def rounds_page(engine: EngineDep, now: NowDep) -> HTMLResponse:
    with engine.connect() as conn:
        found = evaluation_views.public_rounds(conn)
    return render("rating/rounds.html", rounds=found, as_of=local_date(now))


@router.get("/industry-evaluations/rounds/{round_id}", response_class=HTMLResponse)
def round_page(round_id: IdPath, engine: EngineDep, now: NowDep) -> HTMLResponse:
    as_of = local_date(now)
    try:
        with engine.connect() as conn:
            found = evaluation_views.public_round(conn, round_id, as_of)
    except GongxinError as exc:
        return error_page(exc)
    return render("rating/round.html", round=found, as_of=as_of)


@router.get("/industry-evaluations/certificates/{cert_no}", response_class=HTMLResponse)
def certificate_page(
    cert_no: Annotated[str, Path(max_length=20)], engine: EngineDep, now: NowDep
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        with engine.connect() as conn:
            found = evaluation_views.live(conn, cert_no.strip(), as_of)
    except GongxinError as exc:
        return error_page(exc)
    return render("rating/certificate.html", cert=found, as_of=as_of)
