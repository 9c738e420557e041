"""Malformed requests answered like every other error: Chinese first, English gloss, details.

FastAPI checks request bodies and parameters against their declared types before a handler
runs; its own answer lists the problems in English only. Here each problem names where it is
(``body.subjects[2]``, ``query.page``), what was wrong and the value sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

# pydantic's error types, in Chinese; anything else keeps pydantic's English text
_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "datetime_parsing": "应为时间 YYYY-MM-DDTHH:MM:SS",
    "too_short": "太短",
    "too_long": "太长",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "太小",
    "less_than": "太大",
    "json_invalid": "不是有效的 JSON",
    "literal_error": "不是可选值之一",
    "enum": "不是可选值之一",
}


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    found = []
    for err in exc.errors():
        kind = str(err.get("type", ""))
        item: dict[str, Any] = {
            "where": _where(err.get("loc", ())),
            "rule": kind,
            "zh": _ZH.get(kind, str(err.get("msg", ""))),
            "en": str(err.get("msg", "")),
        }
        if kind != "missing" and "input" in err:
            value = err["input"]
            item["value"] = value if isinstance(value, str | int | float | bool) else repr(value)
            item["value"] = str(item["value"])[:200]
        found.append(item)
    return found


#: the page a person's browser gets instead: (request, zh, en) -> the page, or None for programs
Page = Callable[[Request, str, str], Response | None]


def install(app: FastAPI, page: Page) -> None:
    """422 in the platform's error shape for programs; for a person's browser (a form sent
    without a field it needs, say) the page that ``page`` makes of the same message."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        items = problems(exc)
        zh = "；".join(f"{p['where']}：{p['zh']}" for p in items[:10])
        en = "; ".join(f"{p['where']}: {p['en']}" for p in items[:10])
        shown = page(request, f"请求格式有误：{zh}", f"malformed request: {en}")
        if shown is not None:
            return shown
        body = {
            "error": "invalid_request",
            "message": f"请求格式有误：{zh}（malformed request: {en}）",
            "zh": f"请求格式有误：{zh}",
            "en": f"malformed request: {en}",
            "details": {"problems": items},
        }
        return JSONResponse(body, status_code=422)
