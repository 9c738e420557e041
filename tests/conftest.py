"""Shared fixtures. Real published data is read from ../shared/data/real beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.template_db",
    "tests.intake.helpers",
    "tests.support.cli",
]

# Property tests assert answers, not speed: on a loaded machine (CI, or one worker of several)
# an example can take longer than hypothesis's default 200 ms deadline without anything wrong.
settings.register_profile("gongxin", deadline=None, print_blob=True)
settings.load_profile("gongxin")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = PROJECT_ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real published data (registrations, USCC test vectors, a DCAT catalog)."""
    if not REAL_DATA.is_dir():
        pytest.fail(f"real data not found at {REAL_DATA}: the checkout needs shared/ beside it")
    return REAL_DATA


def _uses_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())


# tryfirst: xdist reads the groups in its own collection hook, registered after this file
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``-n N --dist loadgroup``), keep every test that uses the session's
    Spark engine on one worker, so that the run starts one JVM rather than one per worker; and
    keep the tests of a module that share a module-scoped fixture (a live server, a loaded
    store, a built wheel) on one worker, so that the fixture is built once, not once per worker."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("spark"))
        elif _uses_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(f"module-{item.nodeid.split('::')[0]}"))
