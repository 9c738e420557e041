"""Request bodies are capped per route before anything reads them (pure ASGI middleware).

JSON bodies (``application/json``, ``…+json``, or no content type) are also measured for
nesting as they stream in: deeper than ``json_max_depth`` is answered 400 (``json_too_deep``)
before any parser sees it.

A body larger than its route's cap is answered 413 in the platform's error shape: at once when
the request declares a ``Content-Length`` over the cap (nothing of the body is read), else as
soon as the bytes received pass it (the rest is never read, nothing is spooled to disk). The
caps come from the settings:

* ``POST /api/v1/submissions`` — ``upload_max_bytes`` plus room for the form's other fields;
* ``POST /admin/submissions`` (the back office's upload of several files at once) —
  ``UPLOAD_FILES`` times ``upload_max_bytes`` plus the same room; each file is then held to
  ``upload_max_bytes`` on its own, as the API holds its one file;
* ``POST /admin/credit-check`` (a file of subjects) — ``upload_max_bytes`` plus the room;
* ``POST /api/v1/checks`` — ``check_body_max_bytes``;
* every other request — ``body_max_bytes`` (``/admin/login``, back-office forms, CKAN POSTs,
  feedback reports …).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from gongxin.errors import GongxinError, TooLarge
from gongxin.jsonguard import DepthGuard, TooDeep
from gongxin.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FORM_OVERHEAD = 1 << 20
"""Room for a multipart upload's boundaries, headers and small fields beside the file."""
UPLOAD_FILES = 10
"""The most files one back-office upload may carry."""


_UPLOAD_FILES_OF = {
    "/api/v1/submissions": 1,
    "/admin/credit-check": 1,
    "/admin/submissions": UPLOAD_FILES,
}
"""The routes that take file uploads, and how many files each may carry."""


def cap_for(settings: Settings, method: str, path: str) -> int:
    """The most bytes a request body of ``method path`` may have."""
    route = path.rstrip("/") if method == "POST" else ""
    if route == "/api/v1/checks":
        return settings.check_body_max_bytes
    if files := _UPLOAD_FILES_OF.get(route):
        return settings.upload_max_bytes * files + FORM_OVERHEAD
    return settings.body_max_bytes


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"请求体超过上限 {limit} 字节，未读取也未处理；请缩小后重试",
        f"the request body is larger than {limit} bytes; it was neither read nor processed",
        limit=limit,
    )


class _Refused(Exception):
    """Raised into the application when the body is refused mid-stream."""


class BodyLimit:
    """Cap each request's body by route and the nesting of JSON bodies; answer 413 (too large)
    or 400 (too deep) before the application reads the body."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = cap_for(self.settings, scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(send, too_large(limit))
            return
        guard = DepthGuard(self.settings.json_max_depth) if _is_json(scope) else None
        received = 0
        refusal: GongxinError | None = None
        started = False

        async def counted() -> Message:
            nonlocal received, refusal
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    refusal = too_large(limit)
                    raise _Refused
                if guard is not None:
                    try:
                        guard.feed(chunk)
                    except TooDeep as exc:
                        refusal = exc
                        raise _Refused from None
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                return  # whatever the application made of the cut-off body: the refusal goes out
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if refusal is None:
                raise
        if refusal is not None and not started:
            await _answer(send, refusal)


def _is_json(scope: Scope) -> bool:
    """JSON by its content type, or without one (FastAPI reads such a body as JSON)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind: bytes = value.split(b";")[0].strip().lower()
            return not kind or kind == b"application/json" or kind.endswith(b"+json")
    return True


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # a malformed length is the server's to refuse; huge digits are simply too large
            return int(text[:20]) if text.isascii() and text.isdigit() else None
    return None


async def _answer(send: Send, error: GongxinError) -> None:
    body = orjson.dumps(error.to_dict())
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
