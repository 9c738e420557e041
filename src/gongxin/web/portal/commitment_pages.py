"""The public 信用承诺 pages: the list of commitments and one commitment with its history.

They read through :mod:`gongxin.workflows.commitments`, which reads through the visibility
gate: natural persons' commitments are not shown, personal data is masked, and a broken
commitment is marked as 失信信息.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.records.gate import Audience
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import IdPath
from gongxin.web.portal.render import PAGE_SIZE, error_page, page_number, render
from gongxin.workflows import commitments

router = APIRouter(include_in_schema=False)


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    type: str = "",
    status: str = "",
    page: str = "1",
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        number = page_number(page)
        with engine.connect() as conn:
            found = commitments.listing(
                conn, catalog, audience=Audience.PUBLIC, as_of=as_of, page=number,
                size=PAGE_SIZE, type=type or None, status=status or None,
            )  # fmt: skip
    except GongxinError as exc:
        return error_page(exc)

    def page_url(n: int) -> str:
        return "/commitments?" + urlencode({"type": type, "status": status, "page": n})

    return render(
        "commitments.html",
        found=found,
        as_of=as_of,
        types=commitments.types(catalog),
        statuses=commitments.statuses(catalog),
        chosen_type=type,
        chosen_status=status,
        page_url=page_url,
    )


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse)
def commitment_page(
    commitment_id: IdPath, engine: EngineDep, catalog: CatalogDep, now: NowDep
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        with engine.connect() as conn:
            versions = commitments.history(
                conn, catalog, commitment_id, audience=Audience.PUBLIC, as_of=as_of
            )
            code = commitments.subject_of(conn, commitment_id)
    except GongxinError as exc:
        return error_page(exc)
    return render(
        "commitment.html",
        current=versions[-1],
        earlier=list(reversed(versions[:-1])),
        subject_code=code,
        as_of=as_of,
    )
