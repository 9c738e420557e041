"""The API's documentation, served by the app itself: Swagger UI at /docs (try it out) and
ReDoc at /redoc (a reading layout).

Their files are copied into ``static/vendor/swagger-ui/`` and ``static/vendor/redoc/`` from the
npm packages pinned in ``package-lock.json`` (``make assets``, ``scripts/assets.sh``); nothing
is fetched from a CDN. Both pages load scripts from the site alone; their
Content-Security-Policy (``web/headers.py``) allows the inline styles and the blob worker these
libraries make.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

VENDOR = Path(__file__).parent / "static" / "vendor" / "swagger-ui"
REDOC = Path(__file__).parent / "static" / "vendor" / "redoc"

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>公信 gongxin API 文档 (API documentation)</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

_REDOC_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>公信 gongxin API 参考 (API reference)</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/static/vendor/redoc/redoc.standalone.js"></script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>API 文档未安装</title></head>
<body><h1>API 文档页面未安装 (API documentation not installed)</h1>
<p>Swagger UI 的文件不在本安装中：请在源码目录运行 <code>make assets</code> 后重新安装。
The Swagger UI files are not in this installation: run <code>make assets</code> in the
source tree and install again. The OpenAPI document itself is at
<a href="/openapi.json">/openapi.json</a>.</p></body></html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI for /openapi.json (503 with what to do when its files are not installed)."""
    if not (VENDOR / "swagger-ui-bundle.js").is_file():
        return HTMLResponse(_MISSING, status_code=503)
    return HTMLResponse(_PAGE)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    """ReDoc for /openapi.json (503 with what to do when its file is not installed)."""
    if not (REDOC / "redoc.standalone.js").is_file():
        return HTMLResponse(_MISSING.replace("Swagger UI", "ReDoc"), status_code=503)
    return HTMLResponse(_REDOC_PAGE)
