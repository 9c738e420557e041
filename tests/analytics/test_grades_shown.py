"""Grades on the subject page and the public API: shown, with their explanation, only for the
models the deployment publishes (GONGXIN_EVALUATION_PUBLISH); internal by default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.analytics import evaluation, evaluation_model
from gongxin.audit import log as audit
from gongxin.catalog.registry import load_catalog
from gongxin.db.evaluation_tables import evaluation_contributions, evaluation_results
from gongxin.db.models import subjects
from gongxin.identity import keys
from gongxin.sanctions import check
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.demo.helpers import AS_OF, AS_OF_DATE
from tests.support.http import TestClient


def _client(db_url: str, tmp_path: Path, publish: list[str]) -> TestClient:
    app = create_app(
        Settings(database_url=db_url, var_dir=tmp_path / "var", evaluation_publish=publish)
    )
    app.dependency_overrides[deps.get_now] = lambda: AS_OF
    return TestClient(app)


@pytest.fixture
def explained(store: sa.Engine) -> Iterator[tuple[str, sa.Row[object], list[sa.Row[object]]]]:
    model = evaluation_model.get_model("shandong_1000", load_catalog())
    run = evaluation.evaluate(store, model, as_of=AS_OF_DATE, now=AS_OF)
    with store.connect() as conn:
        worst = conn.execute(
            sa.select(evaluation_results, subjects.c.uscc)
            .join(subjects, subjects.c.id == evaluation_results.c.subject_id)
            .where(evaluation_results.c.run_id == run.run_id, subjects.c.uscc.is_not(None))
            .order_by(evaluation_results.c.score, evaluation_results.c.subject_id)
        ).first()
        assert worst is not None
        causes = list(
            conn.execute(
                sa.select(evaluation_contributions)
                .where(
                    evaluation_contributions.c.run_id == run.run_id,
                    evaluation_contributions.c.subject_id == worst.subject_id,
                )
                .order_by(evaluation_contributions.c.indicator)
            )
        )
    yield str(worst.uscc), worst, causes


def test_published_grades_are_explained_on_the_api_and_the_page(
    explained: tuple[str, sa.Row[object], list[sa.Row[object]]],
    store: sa.Engine,
    db_url: str,
    tmp_path: Path,
) -> None:
    code, worst, causes = explained
    assert causes, "the lowest score has deductions"
    risk_model = evaluation_model.get_model("samr_risk", load_catalog())
    evaluation.evaluate(store, risk_model, as_of=AS_OF_DATE, now=AS_OF)
    # a risk model listed by mistake is still not published (不公开)
    with _client(db_url, tmp_path, ["shandong_1000", "samr_risk"]) as client:
        body = client.get(f"/api/v1/subjects/{code}/grades").json()
        page = client.get(f"/subjects/{code}").text
    [grade] = body["grades"]
    assert grade["grade"] == worst.grade and grade["model"] == "shandong_1000"  # type: ignore[attr-defined]
    shown = {c["indicator"]: c for c in grade["causes"]}
    assert set(shown) == {c.indicator for c in causes}  # type: ignore[attr-defined]
    for c in causes:
        cause = shown[c.indicator]  # type: ignore[attr-defined]
        listed = [r["id"] for r in cause["records"]]
        assert set(listed) <= set(c.record_ids) and len(listed) + cause["hidden"] == len(
            c.record_ids
        )  # type: ignore[attr-defined]
    assert f"信用评价：{worst.grade}" in page  # type: ignore[attr-defined]
    assert shown[causes[0].indicator]["name"] in page  # type: ignore[attr-defined]


def test_grades_stay_internal_unless_published(
    explained: tuple[str, sa.Row[object], list[sa.Row[object]]], db_url: str, tmp_path: Path
) -> None:
    code, _worst, _ = explained
    with _client(db_url, tmp_path, []) as client:
        body = client.get(f"/api/v1/subjects/{code}/grades").json()
        page = client.get(f"/subjects/{code}").text
        bad = client.get("/api/v1/subjects/not-a-code/grades")
    assert body == {"code": code, "published": [], "grades": []}
    # no grade section or summary (the portal's menu names 行业信用评价, a different service)
    assert "信用评价：" not in page and "信用评价（" not in page
    assert bad.status_code == 400 and "代码" in bad.json()["zh"]


def test_the_credit_check_explains_with_the_grade(
    explained: tuple[str, sa.Row[object], list[sa.Row[object]]], store: sa.Engine
) -> None:
    code, worst, _ = explained
    risk_model = evaluation_model.get_model("samr_risk", load_catalog())
    evaluation.evaluate(store, risk_model, as_of=AS_OF_DATE, now=AS_OF)
    req = check.Request([code], "政府采购", "采购中心", "供应商审查", AS_OF_DATE)
    with store.connect() as conn:
        [with_grade] = check.evaluate(
            conn, load_catalog(), req, now=AS_OF, grade_models=["shandong_1000", "samr_risk"]
        )[0].results
        [without] = check.evaluate(conn, load_catalog(), req, now=AS_OF)[0].results
    [grade] = with_grade["grades"]  # the risk class is never part of a check (不惩戒)
    assert grade["grade"] == worst.grade and grade["model"] == "shandong_1000"  # type: ignore[attr-defined]
    assert f"信用评价等级为 {worst.grade}" in with_grade["explanation"]  # type: ignore[attr-defined]
    assert "grades" not in without and "信用评价等级" not in without["explanation"]


def test_departments_read_the_current_results_through_the_exchange(
    explained: tuple[str, sa.Row[object], list[sa.Row[object]]],
    store: sa.Engine,
    db_url: str,
    tmp_path: Path,
) -> None:
    _, worst, _ = explained
    risk_model = evaluation_model.get_model("samr_risk", load_catalog())
    evaluation.evaluate(store, risk_model, as_of=AS_OF_DATE, now=AS_OF)
    with store.begin() as conn:
        key = keys.create(conn, "市市场监督管理局", now=AS_OF, scopes=["exchange"]).key
        graded = dict(
            conn.execute(
                sa.select(evaluation_results.c.subject_id, evaluation_results.c.grade).where(
                    evaluation_results.c.run_id == worst.run_id  # type: ignore[attr-defined]
                )
            ).all()
        )
    auth = {"Authorization": f"Bearer {key}"}
    pages, after = [], 0
    with _client(db_url, tmp_path, []) as client:
        while True:
            got = client.get(
                "/api/v1/exchange/evaluations/shandong_1000/results",
                params={"after": after, "size": 50, "purpose": "分级分类监管"},
                headers=auth,
            )
            assert got.status_code == 200, got.text
            pages.append(got.json())
            if got.json()["next_after"] is None:
                break
            after = got.json()["next_after"]
        risk = client.get("/api/v1/exchange/evaluations/samr_risk/results", headers=auth)
        too_big = client.get(
            "/api/v1/exchange/evaluations/shandong_1000/results",
            params={"size": 999999}, headers=auth,
        )  # fmt: skip
    shared = {r["subject_id"]: r["grade"] for p in pages for r in p["rows"]}
    assert len(pages) > 1 and shared == graded
    assert risk.status_code == 403 and too_big.status_code == 400
    with store.connect() as conn:
        reads = [e for e in audit.entries(conn) if e.action == "evaluation.read"]
    assert len(reads) == len(pages) and reads[0].purpose == "分级分类监管"
