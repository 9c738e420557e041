"""A real server and a real browser for end-to-end tests.

``live_server(app)`` runs the app with uvicorn on 127.0.0.1 (a free port) in a background
thread and yields its base URL once ``/health`` answers; the app's public base URL
(``GONGXIN_PUBLIC_BASE_URL``, which absolute links are built from) is set to that URL.
``chromium(playwright)`` launches Debian's Chromium headless with the flags the project uses
everywhere, or fails the test with the command that installs it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(app: FastAPI, *, start_seconds: float = 20) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_seconds
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"the server did not start on {url}")
        time.sleep(0.1)
    settings = getattr(app.state, "settings", None)  # set by the app's lifespan
    if settings is not None:
        app.state.settings = settings.model_copy(update={"public_base_url": url})
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def chromium(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps`", pytrace=False)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
