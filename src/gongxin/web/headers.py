"""Security headers on every response: a Content-Security-Policy, no framing, no MIME
sniffing, a tight referrer policy (and HSTS when the site is served over HTTPS).

The portal's and back office's pages load their styles and scripts from /static only (no
inline ``<style>``, ``style=""``, ``<script>`` nor ``on…=`` handlers), so their policy allows
``'self'`` and nothing inline. The API's interactive documentation (/docs) is Swagger UI served
by the app itself (``web/api_docs.py``): scripts from the site alone, but inline styles, which
Swagger UI sets on its elements; it renders no user data. A response that sets its own
Content-Security-Policy keeps it.

A plain ASGI middleware (not BaseHTTPMiddleware): it adds headers to the response start and
leaves the body, streamed downloads included, untouched.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Swagger UI and ReDoc style elements inline
        "img-src 'self' data:",
        "font-src 'self'",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def _is_docs(path: str) -> bool:
    return path in DOCS_PATHS or path.startswith("/docs/")


class SecurityHeaders:
    """Add the security headers to every HTTP response of ``app``."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.common = {
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        }
        if https:
            self.common["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if _is_docs(scope["path"]) else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.common.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
