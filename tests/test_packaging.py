"""What a user gets from ``pip install gongxin``: a wheel built from this repository carries every
data file the package reads (specs, rules, page templates, the migration template), and an
installation of that wheel alone initialises a store, serves the portal and the back office,
and can write a new migration.

The wheel is built from a copy of the repository's sources (no build artefacts left in the
checkout) and installed into a fresh virtualenv; the dependencies come from the test's own
environment through a ``.pth`` line, so nothing is downloaded but the build backend, while
``gongxin`` itself can only be imported from the installed wheel (PYTHONPATH is cleared).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gongxin"
# one worker builds the wheel once for the three tests (under pytest-xdist, -n N --dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]


def _source_data_files() -> set[str]:
    """Every file under src/gongxin the package reads besides its Python modules."""
    found = set()
    for path in PACKAGE.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc",):
            found.add(path.relative_to(PACKAGE.parent).as_posix())
    return found


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, folder: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGXIN_", "PYTHON"))}
        env["GONGXIN_DATABASE_URL"] = f"sqlite:///{folder / 'store.db'}"
        env["GONGXIN_VAR_DIR"] = str(folder / "var")
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(
        PACKAGE,
        source / "src" / "gongxin",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)],
        check=True,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("gongxin-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
    ).stdout.strip()
    # dependencies: this environment's packages, after the venv's own (gongxin is the wheel's)
    (Path(site) / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield Installed(venv, wheel)


def test_the_wheel_carries_every_data_file(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        inside = set(wheel.namelist())
    missing = sorted(
        name for name in _source_data_files() if not name.endswith(".py") and name not in inside
    )
    assert not missing, f"files missing from the wheel (pyproject package-data): {missing}"
    modules = sorted(n for n in _source_data_files() if n.endswith(".py") and n not in inside)
    assert not modules, f"modules missing from the wheel: {modules}"


def _run(installed: Installed, folder: Path, *args: str) -> str:
    done = subprocess.run(
        args,
        env=installed.env(folder),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_installed_wheel_initialises_and_serves_every_kind_of_page(
    installed: Installed, tmp_path: Path
) -> None:
    where = _run(installed, tmp_path, str(installed.bin / "python"), "-c",
                 "import gongxin; print(gongxin.__file__)")  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed.venv), where
    assert "schema ready" in _run(installed, tmp_path, str(installed.bin / "gongxin"), "init")
    port = free_port()
    server = subprocess.Popen(
        [str(installed.bin / "gongxin"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=installed.env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        for path, text in [
            ("/admin/login", "登录"),  # the back-office templates
            ("/", "公共信用信息平台"),  # the portal's, with its default brand
            ("/shuanggongshi", "双公示"),
        ]:
            response = httpx.get(base + path, timeout=10)
            assert response.status_code == 200, (path, response.text[:500])
            assert text in response.text, path
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert b"Traceback" not in output, output.decode(errors="replace")


def test_the_installed_wheel_writes_a_new_migration(installed: Installed, tmp_path: Path) -> None:
    """``migrate.revision`` renders the migration template (script.py.mako) of the package."""
    script = (
        "import sys\n"
        "from gongxin.db import migrate\n"
        "from gongxin.db.engine import make_engine\n"
        "engine = make_engine(sys.argv[1])\n"
        "migrate.upgrade(engine)\n"
        "migrate.revision(engine, 'packaging check')\n"
        "print(migrate.MIGRATIONS)\n"
    )
    folder = _run(installed, tmp_path, str(installed.bin / "python"), "-c", script,
                  f"sqlite:///{tmp_path / 'scratch.db'}").splitlines()[-1]  # fmt: skip
    assert Path(folder).is_relative_to(installed.venv), folder
    (written,) = Path(folder, "versions").glob("*_packaging_check.py")
    assert '"""packaging check' in written.read_text(encoding="utf-8")
