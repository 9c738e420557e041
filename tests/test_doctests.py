"""The docstring examples of the package are run by the test suite (``--doctest-modules`` over
src/gongxin in pyproject.toml), so an example that stops being true fails the build."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_plain_pytest_run_collects_the_docstring_examples() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "src/gongxin" in config["tool"]["pytest"]["ini_options"]["testpaths"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "src/gongxin",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    collected = done.stdout.splitlines()
    for example in (
        "src/gongxin/clock.py::gongxin.clock.add_working_days",
        "src/gongxin/ids/uscc.py::gongxin.ids.uscc",
        "src/gongxin/intake/readers/__init__.py::gongxin.intake.readers",
        "src/gongxin/demo/generate.py::gongxin.demo.generate",
    ):
        assert example in collected, example
    assert not [line for line in collected if "/db/migrations/" in line]
