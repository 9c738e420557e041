"""``gongxin serve --workers N``: N uvicorn processes, each on a listening socket of its own.

uvicorn's own ``--workers`` shares one listening socket, and the worker that wakes first
accepts every connection waiting: a client that opens its connections in one burst (a reverse
proxy's upstream pool, a bank's batch client) lands them all on one worker while the others
idle. Here each worker binds the address itself with ``SO_REUSEPORT``, and the kernel spreads
the connections over the workers by their addresses (Linux).

The supervisor starts the workers (spawned, so each builds the app from the environment),
restarts one that dies after it has started serving, and on SIGINT or SIGTERM stops them all
(SIGTERM: uvicorn finishes the requests in flight), killing what has not ended after
``STOP_SECONDS``. A worker that exits before it serves (the port taken by another program,
an app that cannot be built) stops the supervisor with that worker's exit code instead of
being restarted in a loop. A worker whose supervisor dies, even by SIGKILL, gets SIGTERM from
the kernel (Linux ``PR_SET_PDEATHSIG``) and stops, so none is left serving on its own.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from types import FrameType

STOP_SECONDS = 30.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    log_level: str | None


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` that other workers may bind too (``SO_REUSEPORT``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _die_with(supervisor: int) -> None:
    """Have the kernel send this process SIGTERM when ``supervisor`` (its parent) dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: stopping with the supervisor is not offered
        return
    if os.getppid() != supervisor:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker(options: Options, ready: EventType, supervisor: int) -> None:  # spawned process
    _die_with(supervisor)
    import uvicorn

    from gongxin.web.nodelay import NoDelayH11Protocol

    try:
        sock = listening_socket(options.host, options.port)
    except OSError as exc:
        print(
            f"无法监听 {options.host}:{options.port}（{exc.strerror}）"
            f" (cannot listen on {options.host}:{options.port}: {exc.strerror})",
            file=sys.stderr,
        )
        raise SystemExit(3) from None
    config = uvicorn.Config(
        "gongxin.cli.admin:web_app", factory=True, host=options.host, port=options.port,
        proxy_headers=False, log_level=options.log_level, http=NoDelayH11Protocol,
    )  # fmt: skip
    server = uvicorn.Server(config)

    def tell_started() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.1)
        if server.started:
            ready.set()

    threading.Thread(target=tell_started, daemon=True).start()
    server.run(sockets=[sock])


def run(workers: int, options: Options) -> int:
    """Serve with ``workers`` processes until SIGINT or SIGTERM; the exit code."""
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    started: list[tuple[BaseProcess, EventType]] = []

    def start() -> tuple[BaseProcess, EventType]:
        ready = ctx.Event()
        process = ctx.Process(
            target=_worker, args=(options, ready, os.getpid()), name="gongxin-web-worker"
        )
        process.start()
        return process, ready

    code = 0
    try:
        started = [start() for _ in range(workers)]
        while not stop.wait(0.5):
            for i, (process, ready) in enumerate(started):
                if process.is_alive():
                    continue
                if not ready.is_set():
                    code = process.exitcode or 1  # failed while starting: do not loop
                    stop.set()
                    break
                started[i] = start()  # died after starting: replaced
    finally:
        for process, _ in started:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in started:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
