"""Portal side of trust marks (网站可信标识): the verification page a badge opens, and the
badge and QR code themselves as SVG, drawn from the live verdict on every request (so a badge
pasted into a company's site changes when the mark is revoked, suspended or expires)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from gongxin.clock import CHINA_TZ
from gongxin.errors import GongxinError
from gongxin.market import trust_mark_badge
from gongxin.web import branding, links
from gongxin.web.api.trust_marks import SerialPath, SigQuery, limit, verdict_of
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.portal.render import error_page, render

router = APIRouter(include_in_schema=False)
LIVE = {"Cache-Control": "no-cache, max-age=0"}  # re-checked at every display


@router.get("/marks/{serial}", name="trust_mark_page", response_class=HTMLResponse)
def trust_mark_page(
    serial: SerialPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    sig: SigQuery = "",
) -> HTMLResponse:
    """What a click on a badge opens: the verdict, the bound site, the live profile's link."""
    try:
        limit(request, settings)
        verdict = verdict_of(engine, catalog, settings, now, serial, sig)
    except GongxinError as exc:
        return error_page(exc)
    status = 404 if verdict.state == "unknown" else 200
    page = render("trust_mark.html", status, v=verdict, china_tz=CHINA_TZ, q="")
    page.headers.update(LIVE)
    return page


@router.get("/marks/{serial}/badge.svg", name="trust_mark_badge")
def trust_mark_badge_svg(
    serial: SerialPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    sig: SigQuery = "",
) -> Response:
    limit(request, settings)
    verdict = verdict_of(engine, catalog, settings, now, serial, sig)
    svg = trust_mark_badge.badge_svg(verdict, branding.current().title)
    return Response(svg, media_type="image/svg+xml", headers=LIVE)


@router.get("/marks/{serial}/qr.svg", name="trust_mark_qr")
def trust_mark_qr_svg(
    serial: SerialPath, request: Request, settings: SettingsDep, sig: SigQuery = ""
) -> Response:
    """The QR code of the verification link (the link is what a phone opens and checks)."""
    limit(request, settings)
    url = links.absolute(settings, f"/marks/{quote(serial)}?sig={quote(sig)}")
    return Response(trust_mark_badge.qr_svg(url), media_type="image/svg+xml")
