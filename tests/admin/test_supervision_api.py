"""The supervision API: a public, masked related-party graph of a subject (bounded, 404 for an
unknown subject), and the centre's warnings queue: centre admins only, stale decisions 409."""

from __future__ import annotations

import re
from datetime import date

from gongxin.catalog import providers
from gongxin.intake.pipeline import ingest
from gongxin.settings import Settings
from gongxin.supervision.service import run_warnings
from tests.admin.conftest import Office
from tests.intake.helpers import AS_OF, PROVIDER, REGISTRATION, catalog, make_uscc, write_csv
from tests.sanctions.helpers import World
from tests.subjects.test_registration_details import DETAILS, detailed_row

REP = "11010519491231002X"


def seed(office: Office) -> None:
    rows = [
        detailed_row(n, 法人代表="赵大明", 法定代表人证件号码=REP, 注册地址=f"路{n}号",
                     股东及出资信息="", 联系电话="", 电子邮箱="", 变更记录="")
        for n in (1, 2)
    ]  # fmt: skip
    with office.engine.begin() as conn:
        providers.assign(conn, catalog(), "registration", PROVIDER, now=AS_OF)
    headers = REGISTRATION + DETAILS
    path = write_csv(
        office.settings.var_dir.parent / "r.csv",
        headers,
        ([r.get(h, "") for h in headers] for r in rows),
    )
    summary = ingest(office.engine, catalog(), path, dataset="registration", provider=PROVIDER,
                     as_of=AS_OF)  # fmt: skip
    assert summary.accepted == 2
    world = World(office.engine, key="", department_id=0)
    world.entry("serious_dishonest_list", make_uscc(1), subject_id=1, listed="2026-01-10")
    settings = Settings(database_url=str(office.engine.url), var_dir=office.settings.var_dir)
    run_warnings(office.engine, catalog(), settings, AS_OF)


def test_the_graph_is_public_masked_and_bounded(office: Office) -> None:
    seed(office)
    answer = office.client.get(f"/api/v1/subjects/{make_uscc(1)}/graph", params={"depth": 1})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["depth"], body["max_nodes"], body["truncated"]) == (1, 50, False)
    assert [n["degree"] for n in body["nodes"]] == [0, 1]
    assert body["nodes"][0]["lists"] == ["严重违法失信名单"]
    (edge,) = body["edges"]
    assert edge["relation"] == "legal_rep" and edge["via"] != "赵大明"
    assert "赵大明" not in answer.text and "hmac:" not in answer.text
    assert office.client.get(f"/api/v1/subjects/{make_uscc(9)}/graph").status_code == 404
    too_deep = office.client.get(f"/api/v1/subjects/{make_uscc(1)}/graph", params={"depth": 3})
    assert too_deep.status_code == 400 and "depth" in too_deep.text


def test_the_warnings_queue_is_for_centre_admins_and_refuses_stale_decisions(
    office: Office,
) -> None:
    seed(office)
    assert office.client.get("/api/v1/supervision/warnings").status_code in (401, 403)
    office.login("clerk")
    assert office.client.get("/api/v1/supervision/warnings").status_code == 403
    office.login("root")
    listed = office.client.get("/api/v1/supervision/warnings")
    assert listed.status_code == 200, listed.text
    (warning,) = listed.json()
    assert warning["rule_id"] == "listed_rep_elsewhere" and warning["subject_id"] == 2
    assert "第十二条" in warning["legal_hook"] and warning["evidence"]["count"] == 1
    headers = {"X-CSRF-Token": office.page_csrf()}
    url = f"/api/v1/supervision/warnings/{warning['id']}/decision"
    stale = {"action": "confirm", "revision": warning["revision"] + 5}
    assert office.client.post(url, json=stale, headers=headers).status_code == 409
    done = office.client.post(
        url, json={"action": "confirm", "revision": warning["revision"]}, headers=headers
    )
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert done.json()["last_seen_at"].startswith(date(2026, 11, 22).isoformat())
    unknown = office.client.post(
        "/api/v1/supervision/warnings/999/decision",
        json={"action": "confirm", "revision": 1},
        headers=headers,
    )
    assert unknown.status_code == 404


def test_the_centre_opens_a_warning_follows_it_to_the_graph_and_confirms_it(
    office: Office,
) -> None:
    seed(office)
    office.login("root")
    queue = office.client.get("/admin/warnings")
    assert queue.status_code == 200 and "严重失信主体的法定代表人" in queue.text
    link = re.search(r'href="(/admin/warnings/\d+)"', queue.text)
    assert link
    page = office.client.get(link.group(1))
    assert "第十二条" in page.text and "北京测试1商贸有限公司" in page.text
    graph = re.search(r'href="(/admin/subjects/\d+/graph)"', page.text)
    assert graph
    picture = office.client.get(graph.group(1))
    assert picture.status_code == 200 and "<svg" in picture.text
    assert "北京测试1商贸有限公司" in picture.text and "node-listed" in picture.text
    assert "同一法定代表人" in picture.text and "hmac:" not in picture.text
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    stale = office.post(
        link.group(1), {"action": "confirm", "revision": int(revision.group(1)) + 1}
    )
    assert stale.status_code == 409
    done = office.post(link.group(1), {"action": "confirm", "revision": revision.group(1)})
    assert done.status_code == 303
    assert "已确认" in office.client.get(link.group(1)).text
    assert office.client.get("/admin/warnings").text.count("/admin/warnings/") == 0
    assert office.client.get("/admin/linkage").status_code == 200


def test_the_portal_shows_the_graph_with_names_masked(office: Office) -> None:
    seed(office)
    profile = office.client.get(f"/subjects/{make_uscc(2)}")
    assert f'href="/subjects/{make_uscc(2)}/graph"' in profile.text
    page = office.client.get(f"/subjects/{make_uscc(2)}/graph")
    assert page.status_code == 200 and "<svg" in page.text
    assert "北京测试1商贸有限公司" in page.text and "严重违法失信名单" in page.text
    assert "同一法定代表人" in page.text and "赵大明" not in page.text
    assert office.client.get(f"/subjects/{make_uscc(9)}/graph").status_code == 404
