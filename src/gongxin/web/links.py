"""Absolute links to this platform: always from ``GONGXIN_PUBLIC_BASE_URL``.

A request's Host header (and so ``request.base_url`` and ``request.url_for``) is whatever the
client sent: a forged one would put another site's address into a report's QR code or an
open-data download link. Every absolute URL is therefore built here, from the one setting.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gongxin.settings import Settings


def absolute(settings: Settings, path: str) -> str:
    """``path`` (starting with /) under the public base URL."""
    if not path.startswith("/"):
        raise ValueError(f"not an absolute path: {path!r}")
    return settings.public_base_url + path


def url_for(request: Request, settings: Settings, name: str, **params: Any) -> str:
    """The public URL of the route ``name`` (the path from the app, the host from settings)."""
    return absolute(settings, str(request.app.url_path_for(name, **params)))
