"""What the OpenAPI document says about errors, security and media types, defined once.

* ``ErrorBody`` is the platform's error shape (``GongxinError.to_dict()`` and the 422 of
  ``web.validation``); ``ERRORS`` declares it for 400, 401, 403, 404, 409, 413, 422, 429 and 503
  and is given to every JSON router in ``create_app``.
* ``DEPARTMENT_KEY`` and ``OPEN_DATA_KEY`` are the two security schemes: a department's API key
  (``Authorization: Bearer gx_…``, checked by ``web.auth.require_scope``) and the optional
  open-data key (``X-API-Key: od_…``, counted by the open-data limits).
* ``CSV``, ``XLSX``, ``PDF``, ``TURTLE``, ``JSON_LD`` and ``JSON_FILE`` describe the 200 answers
  of the routes that do not answer with a JSON model.
* ``CkanEnvelope`` is the CKAN Action API's own envelope (its errors keep CKAN's shape).
"""

from __future__ import annotations

from typing import Any

from fastapi.security import APIKeyHeader, HTTPBearer
from pydantic import BaseModel, Field

__all__ = [
    "CSV",
    "DEPARTMENT_KEY",
    "ERRORS",
    "JSON_FILE",
    "JSON_LD",
    "OPEN_DATA_KEY",
    "OPTIONAL_OPEN_DATA_KEY",
    "PDF",
    "TURTLE",
    "XLSX",
    "CkanEnvelope",
    "ErrorBody",
]


class ErrorBody(BaseModel):
    """每个错误的格式 (the platform's error shape): a code, the message in Chinese with an
    English gloss, and details naming the field, value and rule where there are some."""

    error: str = Field(description="错误代码 (machine-readable code), e.g. not_found")
    message: str = Field(description="中文说明（English gloss）")
    zh: str = Field(description="中文说明 (the message in Chinese)")
    en: str = Field(description="English gloss")
    details: dict[str, Any] | None = Field(
        default=None,
        description="细节 (details): for 422, ``problems`` naming where, rule and value",
    )


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("输入有误 (invalid input: names the row, field, value and rule)"),
    401: _error("缺少或无效的密钥 (missing, unknown, expired or revoked key)"),
    403: _error("无权访问 (the key lacks the scope, or the quota is used up)"),
    404: _error("未找到 (no such resource)"),
    409: _error("冲突 (conflict with the current state)"),
    413: _error("请求过大 (the request or file is too large)"),
    422: _error("请求格式有误 (malformed request: names where, what and the value sent)"),
    429: _error("请求过于频繁 (rate limit; see the Retry-After header)"),
    503: _error("系统繁忙 (the store is busy; retry after Retry-After seconds)"),
}

DEPARTMENT_KEY = HTTPBearer(
    auto_error=False,
    scheme_name="departmentKey",
    description="部门 API 密钥 (a department's API key): ``Authorization: Bearer gx_…``, "
    "issued with ``gongxin key create``; each route needs one scope.",
)

OPEN_DATA_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="openDataKey",
    description="开放数据密钥 (an open-data key, optional): ``X-API-Key: od_…`` (also "
    "``X-CKAN-API-Key`` or ``Authorization``); without one a caller gets the anonymous rate.",
)


# the open-data key is optional: no key at all is an accepted alternative
OPTIONAL_OPEN_DATA_KEY: dict[str, Any] = {"security": [{}]}


def _file(
    media_type: str, description: str, binary: bool = True
) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "string", **({"format": "binary"} if binary else {})}
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


CSV = _file("text/csv", "CSV，UTF-8 (with BOM)", binary=False)
XLSX = _file(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 工作簿 (XLSX)"
)
PDF = _file("application/pdf", "PDF 文档")
TURTLE = _file("text/turtle", "RDF Turtle", binary=False)
JSON_LD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON-LD",
        "content": {"application/ld+json": {"schema": {"type": "object"}}},
    }
}
JSON_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON 数组 (a JSON array of records keyed by field code)",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"type": "object"}},
            }
        },
    }
}


class CkanEnvelope(BaseModel):
    """CKAN 的响应信封 (CKAN's envelope): ``success`` with ``result``, or ``error``."""

    help: str
    success: bool
    result: Any = None
    error: dict[str, Any] | None = None
