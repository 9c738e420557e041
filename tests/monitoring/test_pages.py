"""The dashboards: the public sees only the panels whose audience is the public (portal, API,
CSV); the credit centre sees every panel; each chart has its table and a CSV beside it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.identity import accounts, departments
from gongxin.monitoring import rules, service
from gongxin.settings import Settings
from tests.admin.conftest import PASSWORD, Office, serve
from tests.monitoring.conftest import HAND_AS_OF, NOW


def _office(store: sa.Engine, db_url: str, tmp_path: Path, **extra: object) -> Iterator[Office]:
    with store.begin() as conn:
        departments.add(conn, "市信用中心", kind="centre", code=None, now=NOW)
        accounts.add_user(conn, "root", department="市信用中心", roles=["centre_admin"],
                          password=PASSWORD, now=NOW)  # fmt: skip
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", **extra)  # type: ignore[arg-type]
    service.refresh(store, load_catalog(), rules.load(settings.monitoring_rules),
                    as_of=HAND_AS_OF, now=NOW)  # fmt: skip
    yield from serve(store, settings)


@pytest.fixture
def office(hand_store: sa.Engine, db_url: str, tmp_path: Path) -> Iterator[Office]:
    yield from _office(hand_store, db_url, tmp_path)


def test_the_public_sees_public_panels_and_never_the_centre_only_scorecards(
    office: Office,
) -> None:
    page = office.client.get("/monitoring")
    assert page.status_code == 200
    for title in ("市场主体设立与退出", "市场主体生存率（按行业门类）", "新设小微企业跟踪"):
        assert title in page.text
    assert "部门归集考核" not in page.text and "市市场监督管理局" not in page.text
    assert (
        page.text.count('class="mchart"') == 4
        and "/static/vendor/echarts/echarts.min.js" in page.text
    )
    api = office.client.get("/api/v1/monitoring").json()
    assert [p["code"] for p in api["panels"]] == [
        "flow", "survival_industry", "survival_region", "cohorts"
    ]  # fmt: skip
    assert api["as_of"] == HAND_AS_OF.isoformat()
    hidden = office.client.get("/monitoring/scorecards.csv")
    assert hidden.status_code == 404 and "cohorts" in hidden.text
    assert office.client.get("/api/v1/monitoring/centre").status_code in (401, 403)


def test_each_chart_has_its_csv_with_the_table_numbers(office: Office) -> None:
    got = office.client.get("/monitoring/survival_industry.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["分组", "1年样本", "1年存续", "1年生存率%"]
    everyone = rows[1]  # the whole cohort first: 7 of 9 survived a year, 2 of 5 five years
    assert everyone[1:4] == ["9", "7", "77.8"] and everyone[7:10] == ["5", "2", "40.0"]
    page = office.client.get("/monitoring")
    assert 'href="/monitoring/survival_industry.csv"' in page.text and "<td>77.8</td>" in page.text


def test_the_centre_sees_every_panel_with_the_scorecards(office: Office) -> None:
    office.login("root")
    page = office.client.get("/admin/monitoring")
    assert page.status_code == 200
    assert "部门归集考核" in page.text and "市市场监督管理局" in page.text
    assert page.text.count('class="mchart"') == 5
    card = office.client.get("/admin/monitoring/scorecards.csv")
    assert card.status_code == 200 and "市市场监督管理局" in card.content.decode("utf-8-sig")
    api = office.client.get("/api/v1/monitoring/centre").json()
    assert "scorecards" in [p["code"] for p in api["panels"]]


def test_a_panel_made_centre_only_by_the_setting_leaves_the_portal(
    hand_store: sa.Engine, db_url: str, tmp_path: Path
) -> None:
    text = (Path(rules.__file__).parent / "data" / "monitoring.yaml").read_text("utf-8")
    own = tmp_path / "monitoring.yaml"
    own.write_text(text.replace("  flow: public", "  flow: centre"), "utf-8")
    for office in _office(hand_store, db_url, tmp_path, monitoring_rules=own):
        page = office.client.get("/monitoring")
        assert "市场主体设立与退出" not in page.text and "新设小微企业跟踪" in page.text
        assert office.client.get("/monitoring/flow.csv").status_code == 404
        office.login("root")
        assert "市场主体设立与退出" in office.client.get("/admin/monitoring").text


def test_a_malformed_rules_file_is_refused_naming_the_field(tmp_path: Path) -> None:
    text = (Path(rules.__file__).parent / "data" / "monitoring.yaml").read_text("utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("  flow: public", "  flow: everyone"), "utf-8")
    with pytest.raises(Exception) as caught:
        rules.load(bad)
    assert "panels.flow" in str(caught.value)
