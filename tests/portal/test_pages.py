"""The portal's HTML pages on both databases: search, tabs, masking, escaping, errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import Store, make_uscc, registration_row, write_registrations
from tests.portal.fixtures import ANCIENT, CODE, NOW, RECENT, load_subject

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    load_subject(store, tmp_path)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def test_home_is_a_chinese_phone_page_with_a_search_box(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no external assets


def test_search_finds_the_subject_and_escapes_its_name(client: TestClient) -> None:
    page = client.get("/search", params={"q": "script"})
    assert page.status_code == 200
    assert f'href="/subjects/{CODE}"' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script" not in page.text  # no live script tag anywhere
    assert "欧阳" not in page.text  # the unmasked legal representative is never shown


def test_subject_page_shows_masked_basics_and_only_the_visible_penalty(
    client: TestClient,
) -> None:
    basic = client.get(f"/subjects/{CODE}")
    assert basic.status_code == 200
    assert "基础信息" in basic.text and "行政处罚（1）" in basic.text
    assert "欧***" in basic.text and "欧阳娜娜" not in basic.text
    assert "&lt;script&gt;" in basic.text and "<script" not in basic.text
    penalties = client.get(f"/subjects/{CODE}", params={"tab": "penalty"})
    assert penalties.status_code == 200
    assert RECENT["CF_WSH"] in penalties.text and ANCIENT["CF_WSH"] not in penalties.text
    assert "行政处罚决定书文号" in penalties.text  # fields labelled by their Chinese names
    assert "张*" in penalties.text and "张三" not in penalties.text
    assert "长期" in penalties.text and "2099" not in penalties.text
    empty = client.get(f"/subjects/{CODE}", params={"tab": "honour"})
    assert empty.status_code == 200 and "暂无公示的守信激励信息" in empty.text


def test_search_results_are_paged(client: TestClient, store: Store, tmp_path: Path) -> None:
    rows = [registration_row(n) for n in range(2, 24)]  # 22 more subjects, 北京测试N商贸有限公司
    store.ingest(write_registrations(tmp_path / "more.csv", rows), "registration", as_of=NOW)
    first = client.get("/search", params={"q": "商贸"})
    assert "共找到 22 个主体" in first.text and "第 1 / 2 页" in first.text
    assert first.text.count('<a href="/subjects/') == 20
    assert "/search?q=%E5%95%86%E8%B4%B8&amp;page=2" in first.text and "上一页" not in first.text
    second = client.get("/search", params={"q": "商贸", "page": "2"})
    assert second.text.count('<a href="/subjects/') == 2
    assert "上一页" in second.text and "下一页" not in second.text


def test_unknown_subject_is_a_helpful_404_page(client: TestClient) -> None:
    page = client.get(f"/subjects/{make_uscc(99)}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "未找到" in page.text and "按名称查询" in page.text and "no subject" in page.text


@pytest.mark.parametrize(
    ("url", "params", "zh", "en"),
    [
        ("/subjects/91110108MA0000000X", {}, "代码格式有误", "malformed code"),
        (f"/subjects/{CODE}", {"tab": "nope"}, "未知的栏目", "unknown tab"),
        ("/search", {"q": ""}, "请输入名称", "enter a name"),
        ("/search", {"q": "北" * 101}, "查询内容过长", "longer than 100"),
        ("/search", {"q": "北京", "page": "0"}, "页码须从 1 开始", "page starts at 1"),
        ("/search", {"q": "北京", "page": "99"}, "页码超出范围", "page out of range"),
        ("/search", {"q": "北京", "page": "x"}, "页码须为正整数", "positive whole number"),
    ],
)
def test_bad_requests_are_400_pages_naming_the_problem(
    client: TestClient, url: str, params: dict[str, str], zh: str, en: str
) -> None:
    page = client.get(url, params=params)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "请求有误" in page.text and zh in page.text and en in page.text
