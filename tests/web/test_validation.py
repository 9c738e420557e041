"""Malformed requests get the platform's error shape: Chinese, English, where and what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.identity import departments, keys
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url, var_dir=tmp_path / "var"))) as c:
        yield c


def test_a_parameter_of_the_wrong_type_is_named_in_chinese_and_english(
    client: TestClient,
) -> None:
    answer = client.get("/api/v1/subjects", params={"q": "公司", "page": "第二页"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert "query.page" in body["zh"] and "应为整数" in body["zh"]
    assert "query.page" in body["en"]
    [problem] = body["details"]["problems"]
    assert problem == {
        "where": "query.page",
        "rule": "int_parsing",
        "zh": "应为整数",
        "en": problem["en"],
        "value": "第二页",
    }


def test_every_problem_of_a_body_is_listed(client: TestClient, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}")
    with engine.begin() as conn:
        departments.add(conn, "市财政局", kind="user", code=None, now=NOW)
        key = keys.create(conn, "市财政局", now=NOW).key
    engine.dispose()
    answer = client.post(
        "/api/v1/checks",
        json={"subjects": "91110000MA0000000X", "scene": "政府采购"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 422
    where = {p["where"]: p for p in answer.json()["details"]["problems"]}
    assert {"body.subjects", "body.requester", "body.purpose"} <= set(where)
    assert where["body.requester"]["zh"] == "缺少必填项" and "value" not in where["body.requester"]
    assert where["body.subjects"]["value"] == "91110000MA0000000X"


def test_a_person_whose_address_breaks_a_rule_gets_a_page_in_chinese(
    client: TestClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    long_name = {"company": "北" * 201}  # the complaint form's company, at most 200 characters
    page = client.get("/complaints", params=long_name, headers=browser)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "请求格式有误" in page.text and "query.company" in page.text and "太长" in page.text
    assert "at most" not in page.text  # the portal speaks Chinese only
    program = client.get("/complaints", params=long_name)
    assert program.status_code == 422 and program.json()["error"] == "invalid_request"
    api = client.get("/api/v1/subjects", params={"q": "公司", "page": "x"}, headers=browser)
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
