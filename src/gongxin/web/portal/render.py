"""What every portal page shares: the Jinja2 environment (autoescaped), error pages, and how
stored values are shown to the public."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from gongxin.errors import GongxinError, InvalidInput
from gongxin.web import branding
from gongxin.web.params import MAX_PAGE

_templates = Environment(
    # Own templates first, then the parts both sites show (web/templates).
    loader=ChoiceLoader(
        [
            FileSystemLoader(Path(__file__).parent / "templates"),
            FileSystemLoader(Path(__file__).parent.parent / "templates"),
        ]
    ),
    autoescape=select_autoescape(["html"], default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

PAGE_SIZE = 20
LONG_TERM = ("2099-12-31", "2099/12/31")


def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("brand", branding.current())
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


HEADINGS = {404: "未找到", 400: "请求有误", 405: "请求有误", 429: "请求过于频繁"}


def error_page(exc: GongxinError, q: str = "") -> HTMLResponse:
    heading = HEADINGS.get(exc.status, "出错了")
    return render("error.html", exc.status, heading=heading, zh=exc.zh, en=exc.en, q=q)


def status_page(code: int, zh: str, *, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """The portal's page for an HTTP error that no route produced: an unknown address (404), a
    method the address lacks (405), a failure of the server (500). Chinese only."""
    heading = HEADINGS.get(code, "出错了")
    page = render("error.html", code, heading=heading, zh=zh, en="", q="", code=code)
    page.headers.update(headers or {})
    return page


def shown(value: Any) -> str:
    """A stored value as the public reads it: 2099-12-31 is 长期, lists are joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(shown(v) for v in value)
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value)
    return "长期" if text in LONG_TERM else text


def page_number(page: str) -> int:
    """A page number typed in the address bar: ASCII digits (``'²'`` is a digit to
    ``str.isdigit`` but not a number), at most MAX_PAGE; below 1 is the listing's to refuse."""
    text = page.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidInput(
            f"页码须为正整数：{page[:20]}", f"page must be a positive whole number: {page[:20]}"
        )
    if text.startswith("-"):
        return -1 if len(digits) > 7 else int(text)  # the listing refuses it, naming page 1
    if len(digits) > 7 or int(text) > MAX_PAGE:
        raise InvalidInput(
            f"页码不能超过 {MAX_PAGE}：{page[:20]}", f"page cannot be above {MAX_PAGE}: {page[:20]}"
        )
    return int(text)
