"""The site's branding (站点标识): platform and locality name, 主办单位, contacts and the filing
numbers a Chinese government site shows in its footer, all from settings (``GONGXIN_BRAND_*``).

:class:`BrandMiddleware` makes the app's branding the current one for each request, so that any
template renderer can read it with :func:`current` without every route passing settings on.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from gongxin.settings import Settings

ICP_URL = "https://beian.miit.gov.cn/"
PSB_URL = "https://beian.mps.gov.cn/"


@dataclass(frozen=True)
class Brand:
    platform: str = "公共信用信息平台"
    locality: str = ""
    host: str = ""  # 主办单位
    organiser: str = ""  # 承办单位
    phone: str = ""
    email: str = ""
    address: str = ""
    icp: str = ""  # ICP备案号
    site_code: str = ""  # 政府网站标识码
    psb: str = ""  # 公安备案号

    @property
    def title(self) -> str:
        """The site's full name: locality then platform (示范市公共信用信息平台)."""
        return f"{self.locality}{self.platform}"

    @property
    def icp_url(self) -> str:
        return ICP_URL

    @property
    def psb_url(self) -> str:
        return PSB_URL

    @classmethod
    def of(cls, settings: Settings) -> Brand:
        return cls(
            platform=settings.brand_platform.strip() or cls.platform,
            locality=settings.brand_locality.strip(),
            host=settings.brand_host.strip(),
            organiser=settings.brand_organiser.strip(),
            phone=settings.brand_phone.strip(),
            email=settings.brand_email.strip(),
            address=settings.brand_address.strip(),
            icp=settings.brand_icp.strip(),
            site_code=settings.brand_site_code.strip(),
            psb=settings.brand_psb.strip(),
        )


_current: ContextVar[Brand] = ContextVar("gongxin_brand", default=Brand())  # noqa: B039


def current() -> Brand:
    """The branding of the request being served (the defaults outside a request)."""
    return _current.get()


def use(brand: Brand) -> None:
    """Make ``brand`` current in this context (for handlers outside the middleware)."""
    _current.set(brand)


class BrandMiddleware:
    """Sets the app's branding as current for every HTTP request it serves."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.brand = Brand.of(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = _current.set(self.brand)
            try:
                await self.app(scope, receive, send)
            finally:
                _current.reset(token)
            return
        await self.app(scope, receive, send)
