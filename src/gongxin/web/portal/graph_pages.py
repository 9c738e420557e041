"""The portal's related-party page of a subject: the picture of its first- and second-degree
relations (inline SVG laid out by the platform), with persons' names masked for the public."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.supervision import graph, picture
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.portal.render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/subjects/{code}/graph", response_class=HTMLResponse)
def graph_page(code: str, engine: EngineDep, catalog: CatalogDep, now: NowDep) -> HTMLResponse:
    as_of = local_date(now)
    try:
        with engine.connect() as conn:
            subject = profiles.find(conn, code)
            found = graph.neighbourhood(conn, catalog, int(subject["id"]), as_of, Audience.PUBLIC)
    except GongxinError as exc:
        return error_page(exc)
    return render(
        "graph.html", name=subject["name"], graph=found, picture=picture.lay_out(found),
        names={n.id: n.name for n in found.nodes}, as_of=as_of,
    )  # fmt: skip
