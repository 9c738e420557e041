"""Portal pages: the list index, a list's public entries with pages, memoranda and measures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import AS_OF, make_uscc
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, World]]:
    url = f"sqlite:///{tmp_path}/pages.db"
    for world in open_world(url):
        app = create_app(Settings(database_url=url, var_dir=tmp_path / "var"))
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            yield client, world


def test_list_index_entries_and_memoranda(site: tuple[TestClient, World]) -> None:
    client, world = site
    for n in range(25):
        sid, code = world.subject(n + 1)
        world.entry("dishonest_debtor", code, subject_id=sid, name=f"失信{n:02d}公司",
                    listed=f"2025-01-{n + 1:02d}")  # fmt: skip
    world.entry("dishonest_debtor", code, name="已移出公司", removed="2026-01-01")
    index = client.get("/lists").text
    assert "失信被执行人" in index and "守信红名单" in index and "信用承诺未履约" in index
    first = client.get("/lists/dishonest_debtor").text
    assert "失信24公司" in first and "已移出公司" not in first and "下一页" in first
    second = client.get("/lists/dishonest_debtor?page=2").text
    assert "失信00公司" in second and "上一页" in second and "失信24公司" not in second
    assert client.get("/lists/dishonest_debtor?page=9").status_code == 400
    assert client.get("/lists/nope").status_code == 404
    memos = client.get("/memoranda").text
    assert "发改财金〔2016〕141号" in memos and "限制失信被执行人参加政府采购活动" in memos
    assert "fgcj-2016-141-1" in memos


def test_a_listed_name_links_its_profile_only_when_the_register_holds_its_code(
    site: tuple[TestClient, World],
) -> None:
    client, world = site
    sid, registered = world.subject(1, "在册科技有限公司")
    world.entry("dishonest_debtor", registered, subject_id=sid, name="在册科技有限公司")
    waiting = make_uscc(2)  # listed, not (yet) in the register: no profile to open
    world.entry("dishonest_debtor", waiting, name="待关联科技有限公司")
    page = client.get("/lists/dishonest_debtor").text
    assert f'<a href="/subjects/{registered}">在册科技有限公司</a>' in page
    assert "待关联科技有限公司" in page and f'href="/subjects/{waiting}"' not in page
    assert client.get(f"/subjects/{registered}").status_code == 200
    assert client.get(f"/subjects/{waiting}").status_code == 404
