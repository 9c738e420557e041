"""``gongxin serve --workers N``: several uvicorn worker processes on PostgreSQL, each building
the app from the environment; refused on SQLite (one writing process per file)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.support.cli import Cli
from tests.support.pgserver import free_port


def _serve(tmp_path: Path, url: str, workers: int) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {**os.environ, "GONGXIN_DATABASE_URL": url, "GONGXIN_VAR_DIR": str(tmp_path / "var")}
    cmd = "import sys; from gongxin.cli import main; sys.exit(main())"
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-c", cmd, *args], env=env, cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return server, port


def test_two_workers_serve_on_postgresql_and_sqlite_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    if cli.url.startswith("sqlite"):
        refused = cli("serve", "--workers", "2")
        assert refused.exit_code == 2
        assert "PostgreSQL" in refused.stderr and "SQLite" in refused.stderr
        return
    server, port = _serve(tmp_path, cli.url, 2)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        started: set[str] = set()
        while len(started) < 2:
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
            started = {
                m for line in list(lines) for m in re.findall(r"server process \[(\d+)]", line)
            }
        assert str(server.pid) not in started  # the workers are the supervisor's children
        answers: list[int] = []
        while len(answers) < 10:  # the workers answer from the same store
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code)
            except httpx.TransportError:  # still starting up
                assert time.monotonic() < deadline, "".join(lines)
                time.sleep(0.2)
        assert answers == [200] * 10
    finally:
        server.terminate()
        server.wait(20)
        reader.join(5)
        if server.stdout is not None:
            server.stdout.close()
    assert "Traceback" not in "".join(lines), "".join(lines)
