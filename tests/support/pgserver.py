"""A throwaway PostgreSQL server for the test session.

``TemporaryPostgres`` runs ``initdb`` into a fresh temporary directory and starts the server
with ``pg_ctl`` on a free port of 127.0.0.1 (and a private Unix socket directory), tuned for
tests (no fsync). ``ExistingPostgres`` offers the same interface over a server somebody
else runs (``GONGXIN_TEST_PG_URL``). Both hand out SQLAlchemy URLs with the psycopg driver
and create and drop databases.

PostgreSQL refuses to run as root: as root, ``initdb`` and ``pg_ctl`` run as the
unprivileged ``postgres`` system user (created by Debian's postgresql package) through
``runuser`` (or ``su``), in a directory under /tmp that this user owns.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

__all__ = [
    "ExistingPostgres",
    "PostgresNotFoundError",
    "PostgresServer",
    "PostgresStartError",
    "TemporaryPostgres",
    "find_bindir",
]

PG_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
HOST = "127.0.0.1"

# Settings for a server whose data is thrown away: durability off, room for many pools.
TEST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}

_DBNAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresNotFoundError(RuntimeError):
    """The PostgreSQL server binaries (initdb, pg_ctl) are not installed."""


class PostgresStartError(RuntimeError):
    """initdb or the server failed; the message carries the end of the server log."""


def find_bindir(root: Path = PG_ROOT) -> Path:
    """The bin directory of the highest installed PostgreSQL version (Debian layout).

    ``GONGXIN_PG_BINDIR`` overrides the search (a directory holding initdb and pg_ctl).
    """
    override = os.environ.get("GONGXIN_PG_BINDIR")
    candidates: list[tuple[tuple[int, ...], Path]] = []
    if override:
        candidates.append(((0,), Path(override)))
    elif root.is_dir():
        for child in root.iterdir():
            if re.fullmatch(r"\d+(\.\d+)*", child.name):
                version = tuple(int(part) for part in child.name.split("."))
                candidates.append((version, child / "bin"))
    for _, bindir in sorted(candidates, reverse=True):
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    where = override or f"{root}/<version>/bin"
    raise PostgresNotFoundError(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found in {where}: "
        "run `make system-deps` (installs Debian's postgresql package)"
    )


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def check_dbname(name: str) -> str:
    """Accept only plain lower-case identifiers as database names (max 63 bytes)."""
    if not _DBNAME.fullmatch(name):
        raise ValueError(f"unusable database name {name!r}: use [a-z_][a-z0-9_]*, max 63")
    return name


class PostgresServer:
    """A reachable PostgreSQL server on which the tests may create and drop databases."""

    def __init__(self, base_url: URL) -> None:
        self._base = base_url.set(drivername="postgresql+psycopg")

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg driver) of database ``dbname`` on this server."""
        return self._base.set(database=dbname).render_as_string(hide_password=False)

    def connect(
        self, dbname: str = "postgres", *, autocommit: bool = True
    ) -> psycopg.Connection[tuple[Any, ...]]:
        """A direct psycopg connection (the caller closes it, e.g. ``with server.connect():``)."""
        url = self._base
        params: dict[str, Any] = {k: v for k, v in url.query.items() if isinstance(v, str)}
        conninfo = make_conninfo(
            host=url.host or HOST,
            port=url.port or 5432,
            user=url.username or SUPERUSER,
            password=url.password,
            dbname=dbname,
            connect_timeout=5,
            **params,
        )
        return psycopg.connect(conninfo, autocommit=autocommit)

    def create_database(self, name: str) -> str:
        """Create an empty UTF-8 database ``name`` and return its SQLAlchemy URL."""
        ident = sql.Identifier(check_dbname(name))
        with self.connect() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(ident)
            )
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, ending the sessions still connected to it."""
        ident = sql.Identifier(check_dbname(name))
        with self.connect() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    def list_databases(self) -> list[str]:
        with self.connect() as conn:
            rows = conn.execute("SELECT datname FROM pg_database ORDER BY datname").fetchall()
        return [row[0] for row in rows]


class ExistingPostgres(PostgresServer):
    """A server run by somebody else, given by a URL such as
    ``postgresql://user:secret@127.0.0.1:5432/postgres`` (the database part is ignored;
    the user needs the CREATEDB privilege)."""

    def __init__(self, url: str) -> None:
        super().__init__(make_url(url))

    def __enter__(self) -> ExistingPostgres:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class TemporaryPostgres(PostgresServer):
    """A private PostgreSQL server in a temporary directory, deleted on ``stop()``.

    Use as a context manager, or call ``start()`` and ``stop()``::

        with TemporaryPostgres() as pg:
            url = pg.create_database("example")
    """

    def __init__(
        self,
        *,
        bindir: Path | None = None,
        settings: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        super().__init__(URL.create("postgresql+psycopg", username=SUPERUSER, host=HOST))
        self.bindir = bindir if bindir is not None else find_bindir()
        self.settings = {**TEST_SETTINGS, **(settings or {})}
        self.start_timeout = start_timeout
        self.as_root = os.geteuid() == 0
        self.port: int | None = None
        self.basedir: Path | None = None
        self.locale: str | None = None
        self.timings: dict[str, float] = {}
        self._running = False
        self._owner_pid = os.getpid()

    # paths inside the temporary directory
    @property
    def datadir(self) -> Path:
        return self._require_base() / "data"

    @property
    def socketdir(self) -> Path:
        return self._require_base() / "sock"

    @property
    def logfile(self) -> Path:
        return self._require_base() / "server.log"

    def _require_base(self) -> Path:
        if self.basedir is None:
            raise RuntimeError("TemporaryPostgres has not been started")
        return self.basedir

    # life cycle
    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self._running:
            return
        self._owner_pid = os.getpid()
        t0 = time.monotonic()
        atexit.register(self.stop)  # in case the caller never gets to stop()
        try:
            self._make_basedir()
            self._initdb()
            t1 = time.monotonic()
            self.timings["initdb"] = t1 - t0
            self._start_server()
            self._wait_ready()
            self.timings["start"] = time.monotonic() - t1
        except BaseException:
            self.stop()
            raise
        self.timings["total"] = time.monotonic() - t0

    def stop(self) -> None:
        """Stop the server (immediate shutdown: the data is thrown away) and delete its files."""
        atexit.unregister(self.stop)
        if os.getpid() != self._owner_pid:
            return  # a forked child: the server belongs to the parent
        base, self.basedir = self.basedir, None
        if base is None:
            return
        try:
            if self._running or (base / "data" / "postmaster.pid").exists():
                self._run(
                    [self._tool("pg_ctl"), "stop", "-D", str(base / "data"), "-m", "immediate"],
                    cwd=base,
                    check=False,
                )
        finally:
            self._running = False
            shutil.rmtree(base, ignore_errors=True)

    # steps
    def _make_basedir(self) -> None:
        # As root the directory must be reachable by the postgres user: /tmp (mode 1777)
        # rather than a TMPDIR that may sit under root's home.
        parent = "/tmp" if self.as_root else None
        base = Path(tempfile.mkdtemp(prefix="gongxin-pg-", dir=parent))
        self.basedir = base
        (base / "sock").mkdir(mode=0o700)
        if self.as_root:
            for path in (base, base / "sock"):
                try:
                    shutil.chown(path, user=SYSTEM_USER, group=SYSTEM_USER)
                except LookupError as exc:
                    raise PostgresStartError(
                        f"running as root but there is no {SYSTEM_USER!r} system user to run"
                        " PostgreSQL as: run `make system-deps` (Debian's postgresql package"
                        " creates it)"
                    ) from exc

    def _initdb(self) -> None:
        errors = []
        for locale in ("C.UTF-8", "C"):
            shutil.rmtree(self.datadir, ignore_errors=True)
            result = self._run(
                [
                    self._tool("initdb"),
                    "-D",
                    str(self.datadir),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    f"--locale={locale}",
                    "--no-sync",
                ],
                cwd=self._require_base(),
                check=False,
            )
            if result.returncode == 0:
                self.locale = locale
                return
            errors.append(f"initdb --locale={locale} failed:\n{result.stdout}")
        raise PostgresStartError("\n".join(errors))

    def _start_server(self) -> None:
        options = ["-h", HOST, "-k", str(self.socketdir), "-F"]
        for key, value in self.settings.items():
            options += ["-c", f"{key}={value}"]
        last = ""
        for _attempt in range(3):  # a free port can be taken between our probe and the bind
            self.port = free_port()
            self._base = self._base.set(port=self.port)
            result = self._run(
                [
                    self._tool("pg_ctl"),
                    "start",
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    str(int(self.start_timeout)),
                    "-o",
                    shlex.join([*options, "-p", str(self.port)]),
                ],
                cwd=self._require_base(),
                check=False,
            )
            if result.returncode == 0:
                self._running = True
                return
            last = result.stdout
            if "Address already in use" not in self.log_tail():
                break
        raise PostgresStartError(
            f"pg_ctl start failed:\n{last}\n--- server log ---\n{self.log_tail()}"
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with self.connect() as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresStartError(
                        f"PostgreSQL on {HOST}:{self.port} did not accept connections within"
                        f" {self.start_timeout:.0f}s: {exc}\n--- server log ---\n{self.log_tail()}"
                    ) from exc
                time.sleep(0.1)

    # helpers
    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.logfile.read_text(encoding="utf-8", errors="replace")
        except (OSError, RuntimeError):
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def _tool(self, name: str) -> str:
        return str(self.bindir / name)

    def _run(
        self, argv: Sequence[str], *, cwd: Path, check: bool
    ) -> subprocess.CompletedProcess[str]:
        """Run a server tool, as the postgres user when we are root."""
        if self.as_root:
            if shutil.which("runuser"):
                argv = ["runuser", "-u", SYSTEM_USER, "--", *argv]
            else:
                argv = ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]
        # PG* variables (PGDATA, PGPORT, PGOPTIONS, ...) must not steer our private server.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"  # tool messages in English, whatever the caller's locale
        result = subprocess.run(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise PostgresStartError(f"{shlex.join(argv)} failed:\n{result.stdout}")
        return result
