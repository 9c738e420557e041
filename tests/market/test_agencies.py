"""Credit agencies (社会化征信) over the API: scoped keys of registered agencies, authorisation
of person queries, purposes, quotas (429), suspension (403), the negative-information window,
the query log and its retention, the monthly statement — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gongxin.db.market_access_tables import agency_queries
from gongxin.db.models import records
from gongxin.identity import keys
from gongxin.market import agencies
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.worker import registry
from tests.intake.helpers import AS_OF, make_uscc
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

PERSON = "11010519491231002X"
MATCH_KEY = "agency-test-match-key-0123456789"


@pytest.fixture(scope="module")
def world(module_db_url: str) -> Iterator[World]:
    yield from open_world(module_db_url)


@dataclass
class Bureau:
    world: World
    settings: Settings
    clock: list[datetime]
    agency: agencies.Agency
    key: str
    client: TestClient

    def query(self, subject: str, purpose: str = "loan", **extra: Any) -> httpx.Response:
        body = {"subject": subject, "purpose": purpose, "staff": "王审核", **extra}
        return self.client.post(
            "/api/v1/agency/queries", json=body, headers={"Authorization": f"Bearer {self.key}"}
        )

    def authorise(self, reference: str, **extra: Any) -> httpx.Response:
        body = {"person_id": PERSON, "reference": reference, "purpose": "loan",
                "valid_from": "2026-11-01", "valid_until": "2027-10-31", **extra}  # fmt: skip
        return self.client.post(
            "/api/v1/agency/authorisations", json=body,
            headers={"Authorization": f"Bearer {self.key}"},
        )  # fmt: skip


_names = iter(range(1, 1000))


def _bureau(world: World, tmp_path: Path, kind: str = "personal", quota: int = 100) -> Bureau:
    url = world.engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, var_dir=tmp_path / "var", match_key=MATCH_KEY)
    name = f"测试征信第{next(_names)}有限公司"
    with world.engine.begin() as conn:
        agency = agencies.register(
            conn, name, uscc=None, kind=kind, licence_no="银征信-测试-001", quota_per_day=quota,
            rule=agencies.rules(), now=AS_OF, actor="test",
        )  # fmt: skip
        key = keys.create(conn, name, now=AS_OF, scopes=["agency"]).key
    clock = [AS_OF]
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: clock[0]
    return Bureau(world, settings, clock, agency, key, TestClient(app))


@pytest.fixture
def bureau(world: World, tmp_path: Path) -> Iterator[Bureau]:
    made = _bureau(world, tmp_path)
    with made.client:
        yield made


def _log(world: World, agency: agencies.Agency) -> list[Any]:
    with world.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(agency_queries)
                .where(agency_queries.c.agency_id == agency.id)
                .order_by(agency_queries.c.id)
            )
        )


def test_an_organisation_is_served_without_stale_negative_information(bureau: Bureau) -> None:
    sid, code = bureau.world.subject(101, "老字号商贸有限公司")
    bureau.world.entry("serious_dishonest_list", code, subject_id=sid, listed="2025-03-01")
    bureau.world.entry("serious_dishonest_list", code, subject_id=sid, listed="2019-03-01")
    answer = bureau.query(code)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["name"] == "老字号商贸有限公司" and body["subject_kind"] == "org"
    assert [r["event_date"] for r in body["records"]] == ["2025-03-01"]
    assert body["withheld_negative"] == 1  # listed 2019: more than five years ago
    assert body["used_today"] == 1 and body["quota_per_day"] == 100
    (logged,) = _log(bureau.world, bureau.agency)
    assert (logged.outcome, logged.staff, logged.purpose) == ("served", "王审核", "loan")
    assert (logged.records_served, logged.records_withheld) == (1, 1)
    with bureau.world.engine.connect() as conn:
        audited = conn.execute(
            sa.text("SELECT purpose FROM audit_log WHERE action = 'agency.query' "
                    "AND target = :t"), {"t": f"agency_query:{logged.id}"}
        ).scalar_one()  # fmt: skip
    assert audited == "loan"


def test_bad_queries_name_the_field(bureau: Bureau) -> None:
    _, code = bureau.world.subject(102)
    bad_purpose = bureau.query(code, purpose="marketing")
    assert bad_purpose.status_code == 400 and bad_purpose.json()["details"]["field"] == "purpose"
    assert "查询用途" in bad_purpose.json()["zh"]
    bad_subject = bureau.query("not-a-code")
    assert bad_subject.status_code == 400 and bad_subject.json()["details"]["field"] == "subject"
    no_staff = bureau.query(code, staff=" ")
    assert no_staff.status_code == 400 and "查询人员" in no_staff.json()["zh"]
    unknown = bureau.query(make_uscc(999))  # well formed, no such subject: 404, logged
    assert unknown.status_code == 404 and "未找到" in unknown.json()["zh"]
    assert [r.outcome for r in _log(bureau.world, bureau.agency)] == ["not_found"]


def test_a_person_needs_a_matching_valid_authorisation(bureau: Bureau) -> None:
    _, code = bureau.world.subject(104)
    rid = bureau.world.entry("dishonest_debtor", code, listed="2026-06-01", name="张某某")
    with bureau.world.engine.begin() as conn:  # a natural person's entry
        conn.execute(records.update().where(records.c.id == rid)
                     .values(link_kind="person", link_code=PERSON, subject_id=None))  # fmt: skip
    refused = bureau.query(PERSON)
    assert refused.status_code == 403 and "授权" in refused.json()["zh"]
    assert bureau.query(PERSON, authorisation="SQ-404").status_code == 403
    assert bureau.authorise("SQ-1").status_code == 201
    assert bureau.authorise("SQ-1").status_code == 409  # the reference once
    assert bureau.authorise("SQ-2", person_id="110105194912310021").status_code == 400
    wrong_purpose = bureau.query(PERSON, purpose="insurance", authorisation="SQ-1")
    assert wrong_purpose.status_code == 403 and "用途" in wrong_purpose.json()["zh"]
    served = bureau.query(PERSON, authorisation="SQ-1")
    assert served.status_code == 200, served.text
    body = served.json()
    assert body["subject_code"] == "110105********002X" and len(body["records"]) == 1
    bureau.clock[0] = datetime(2027, 11, 2, 2, 0, tzinfo=UTC)  # past the authorisation
    late = bureau.query(PERSON, authorisation="SQ-1")
    assert late.status_code == 403 and "有效期" in late.json()["zh"]
    outcomes = [r.outcome for r in _log(bureau.world, bureau.agency)]
    assert outcomes == ["refused", "refused", "refused", "served", "refused"]
    person_refs = {r.subject_ref for r in _log(bureau.world, bureau.agency)}
    assert PERSON not in person_refs and all(r.startswith("hmac:") for r in person_refs)


def test_an_enterprise_agency_may_not_query_persons(world: World, tmp_path: Path) -> None:
    made = _bureau(world, tmp_path, kind="enterprise")
    with made.client:
        assert made.authorise("E-1").status_code == 201
        refused = made.query(PERSON, authorisation="E-1")
        assert refused.status_code == 403 and "个人征信机构" in refused.json()["zh"]


def test_the_daily_quota_answers_429_until_the_next_day(world: World, tmp_path: Path) -> None:
    made = _bureau(world, tmp_path, quota=2)
    _, code = world.subject(105)
    with made.client:
        assert made.query(code).status_code == 200
        assert made.query(code).status_code == 200
        over = made.query(code)
        assert over.status_code == 429
        assert over.json()["details"]["reason"] == "quota" and "配额 2 次" in over.json()["zh"]
        assert int(over.headers["retry-after"]) == 6 * 3600 + 1  # 18:00 → 00:00 Beijing
        made.clock[0] = AS_OF + timedelta(hours=6)  # the next China day
        assert made.query(code).status_code == 200
    assert [r.outcome for r in _log(world, made.agency)] == [
        "served",
        "served",
        "over_quota",
        "served",
    ]


def test_a_suspended_agency_gets_403_with_the_reason(bureau: Bureau) -> None:
    _, code = bureau.world.subject(106)
    with bureau.world.engine.begin() as conn:
        agencies.set_status(conn, bureau.agency.id, suspend=True, reason="超范围使用信息",
                            now=AS_OF, actor="test")  # fmt: skip
    refused = bureau.query(code)
    assert refused.status_code == 403 and "超范围使用信息" in refused.json()["zh"]
    assert bureau.authorise("S-1").status_code == 403
    with bureau.world.engine.begin() as conn:
        agencies.set_status(conn, bureau.agency.id, suspend=False, reason="", now=AS_OF,
                            actor="test")  # fmt: skip
    assert bureau.query(code).status_code == 200


def test_keys_need_the_scope_and_a_registered_agency(bureau: Bureau) -> None:
    _, code = bureau.world.subject(107)
    with bureau.world.engine.begin() as conn:  # the sanctions world's checker: not an agency
        other = keys.create(conn, "市财政局", now=AS_OF, scopes=["agency"]).key
    body = {"subject": code, "purpose": "loan", "staff": "x"}
    not_agency = bureau.client.post(
        "/api/v1/agency/queries", json=body, headers={"Authorization": f"Bearer {other}"}
    )
    assert not_agency.status_code == 403 and "不是已登记的征信机构" in not_agency.json()["zh"]
    check_key = bureau.world.key  # a key of the check scope only
    no_scope = bureau.client.post(
        "/api/v1/agency/queries", json=body, headers={"Authorization": f"Bearer {check_key}"}
    )
    assert no_scope.status_code == 403 and no_scope.json()["details"]["scope"] == "agency"


def test_the_monthly_statement_counts_the_month(bureau: Bureau) -> None:
    _, code = bureau.world.subject(108)
    bureau.query(code)
    bureau.query(code, purpose="guarantee")
    bureau.query(PERSON)  # refused: no authorisation
    bureau.clock[0] = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 on 1 December in Beijing
    bureau.query(code)
    auth = {"Authorization": f"Bearer {bureau.key}"}
    nov = bureau.client.get("/api/v1/agency/statement", params={"month": "2026-11"}, headers=auth)
    assert nov.status_code == 200, nov.text
    body = nov.json()
    assert (body["total"], body["served"]) == (3, 2)
    assert body["outcomes"] == {"served": 2, "refused": 1}
    assert body["purposes"] == {"loan": 2, "guarantee": 1} and body["days"] == {"2026-11-22": 2}
    dec = bureau.client.get("/api/v1/agency/statement", params={"month": "2026-12"}, headers=auth)
    assert dec.json()["total"] == 1
    csv = bureau.client.get(
        "/api/v1/agency/statement.csv", params={"month": "2026-11"}, headers=auth
    )
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("查询编号,查询时间") and len(lines) == 4
    assert "担保审核" in csv.text and "未获授权" in csv.text
    bad = bureau.client.get("/api/v1/agency/statement", params={"month": "2026-13"}, headers=auth)
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "month"


def test_query_logs_are_purged_after_the_retention_years(bureau: Bureau) -> None:
    _, code = bureau.world.subject(109)
    bureau.clock[0] = AS_OF - timedelta(days=5 * 366)  # six years' worth of days… nearly
    bureau.query(code)
    bureau.clock[0] = AS_OF - timedelta(days=4 * 365)
    bureau.query(code)
    bureau.clock[0] = AS_OF
    job = registry.get("agency-log-purge")
    counts = job.run(bureau.world.engine, bureau.settings, AS_OF)
    assert counts["deleted"] >= 1
    left = _log(bureau.world, bureau.agency)
    assert [r.queried_at.year for r in left] == [2022]
    shorter = bureau.settings.model_copy(update={"agency_log_years": 3})
    assert job.run(bureau.world.engine, shorter, AS_OF)["deleted"] >= 1
    assert _log(bureau.world, bureau.agency) == []
