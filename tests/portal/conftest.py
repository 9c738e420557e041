"""The portal client: the app over a store loaded with one subject, its clock fixed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import Store
from tests.portal.fixtures import NOW, load_subject
from tests.support.http import TestClient


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    load_subject(store, tmp_path)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client
