"""``gongxin serve --workers N``: several uvicorn worker processes on PostgreSQL, each building
the app from the environment and listening on a socket of its own, so that a burst of
connections is spread over them; refused on SQLite (one writing process per file)."""

from __future__ import annotations

import os
import re
import signal
import socket
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


def _started(lines: list[str]) -> set[str]:
    """The worker pids that have logged their start."""
    return {m for line in list(lines) for m in re.findall(r"server process \[(\d+)]", line)}


def _listening(port: int) -> int:
    """Listening sockets on ``port`` (/proc/net/tcp)."""
    return sum(
        1
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if int(line.split()[1].split(":")[1], 16) == port and line.split()[3] == "0A"
    )


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (an ended one not yet reaped is a zombie: Z)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _burst(port: int, workers: set[int]) -> dict[int, int]:
    """Open 16 connections at once from this process, get an answer on each, and count the
    connections each worker holds (its sockets in /proc, matched to /proc/net/tcp)."""
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
    try:
        for c in conns:
            c.sendall(b"GET /health HTTP/1.1\r\nHost: gongxin\r\n\r\n")
        for c in conns:
            assert c.recv(65536).startswith(b"HTTP/1.1 200")
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
        return {
            pid: sum(
                1 for fd in Path(f"/proc/{pid}/fd").iterdir()
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes
            )
            for pid in workers
        }  # fmt: skip
    finally:
        for c in conns:
            c.close()


def test_two_workers_serve_on_postgresql_and_sqlite_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    if cli.url.startswith("sqlite"):
        refused = cli("serve", "--workers", "2")
        assert refused.exit_code == 2
        assert "PostgreSQL" in refused.stderr and "SQLite" in refused.stderr
        return
    server, port = _serve(tmp_path, cli.url, 2)
    workers: list[int] = []
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        started: set[str] = set()
        while len(started) < 2:
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
            started = _started(lines)
        assert str(server.pid) not in started  # the workers are the supervisor's children
        answers: list[int] = []
        while len(answers) < 10:  # the workers answer from the same store
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code)
            except httpx.TransportError:  # still starting up
                assert time.monotonic() < deadline, "".join(lines)
                time.sleep(0.2)
        assert answers == [200] * 10
        while _listening(port) < 2:  # a socket per worker, the kernel spreading connections
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        assert _listening(port) == 2
        held = _burst(port, {int(pid) for pid in started})
        assert sum(held.values()) == 16 and min(held.values()) >= 1, held  # spread, not 16 / 0
        os.kill(int(min(started)), signal.SIGKILL)  # a worker dies: another takes its place
        while not (replaced := _started(lines) - started) or _listening(port) < 2:
            assert server.poll() is None and time.monotonic() < deadline + 60, "".join(lines)
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/health").is_success
        assert len(replaced) == 1 and server.poll() is None
        # the supervisor is killed outright: its workers stop too, none left serving alone
        workers += [int(pid) for pid in (started | replaced) - {min(started)}]
        server.kill()
        server.wait(20)
        gone_by = time.monotonic() + 30  # SIGTERM: they finish what they serve, then end
        while any(_alive(pid) for pid in workers) or _listening(port):
            assert time.monotonic() < gone_by, f"workers left: {workers}"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(20)
        for pid in workers:  # left running (the failure above): stop them, they hold the store
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        reader.join(5)
        if server.stdout is not None:
            server.stdout.close()
    assert "Traceback" not in "".join(lines), "".join(lines)


def test_workers_that_cannot_listen_stop_the_server_with_a_clear_error(
    pg_url: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:  # another program holds the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "GONGXIN_DATABASE_URL": pg_url, "GONGXIN_VAR_DIR": str(tmp_path)}
        cmd = "import sys; from gongxin.cli import main; sys.exit(main())"
        done = subprocess.run(
            [sys.executable, "-c", cmd, "serve", "--port", str(port), "--workers", "2"],
            env=env, cwd=tmp_path, text=True, capture_output=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert f"无法监听 127.0.0.1:{port}" in done.stderr and "cannot listen" in done.stderr
    assert "Traceback" not in done.stderr


def _until_serving(env: dict[str, str], cwd: Path) -> str:
    """What ``gongxin serve`` says until uvicorn serves (then it is stopped)."""
    cmd = "import sys; from gongxin.cli import main; sys.exit(main())"
    server = subprocess.Popen(
        [sys.executable, "-c", cmd, "serve", "--port", str(free_port())], env=env, cwd=cwd,
        text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    said = ""
    try:
        assert server.stdout is not None
        while "Uvicorn running" not in said:
            line = server.stdout.readline()
            assert line, said
            said += line
    finally:
        server.terminate()
        server.wait(20)
        if server.stdout is not None:
            server.stdout.close()
    return said


def test_serve_warns_when_postgresql_has_too_few_connections(pg_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "GONGXIN_DATABASE_URL": pg_url, "GONGXIN_VAR_DIR": str(tmp_path),
           "GONGXIN_DB_POOL_SIZE": "1000"}  # fmt: skip
    said = _until_serving(env, tmp_path)
    assert "warning: 1 workers may open 1010 connections" in said, said
    assert "max_connections" in said and "注意" in said
    # a store it cannot reach: said, and served anyway (the calls then say what is wrong)
    env["GONGXIN_DATABASE_URL"] = f"postgresql+psycopg://gx@127.0.0.1:{free_port()}/gx"
    said = _until_serving(env, tmp_path)
    assert "cannot reach the database to count its connections" in said, said
    assert "Traceback" not in said
