"""The related-party graph: subjects related by a shared legal representative, address or
investor and by investment; bounded neighbourhoods with credit status; personal data masked
for the public; the same edges from the analytics job."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gongxin.analytics import jobs, snapshot
from gongxin.analytics.engines import DuckDBEngine
from gongxin.errors import InvalidInput, NotFound
from gongxin.records.gate import Audience
from gongxin.supervision.graph import neighbourhood
from tests.intake.helpers import REGISTRATION, Store, catalog, make_uscc, penalty_row, write_csv
from tests.subjects.test_registration_details import DETAILS, detailed_row

AS_OF = date(2026, 12, 1)
ID_A = "11010519491231002X"
ID_OTHER = "360426199101010071"


@pytest.fixture
def related(store: Store) -> dict[str, int]:
    base = {"股东及出资信息": "", "联系电话": "", "电子邮箱": "", "变更记录": ""}
    rows = [
        # A and B: the same legal representative (same ID number, different spelling of it)
        detailed_row(1, **base, 法人代表="赵大明", 法定代表人证件号码=ID_A, 注册地址="甲路1号"),
        detailed_row(
            2, **base, 法人代表="赵大明", 法定代表人证件号码=ID_A.lower(), 注册地址="乙路2号"
        ),
        # B and C: the same address written with full-width digits and a space
        detailed_row(3, **base, 法人代表="钱二", 法定代表人证件号码=ID_OTHER, 注册地址="乙路２号 "),
        # D invests in A
        detailed_row(4, **base, 法人代表="孙三", 法定代表人证件号码="", 注册地址="丙路3号"),
        # E: unrelated
        detailed_row(5, **base, 法人代表="李四", 法定代表人证件号码="", 注册地址="丁路4号"),
    ]
    rows[0]["股东及出资信息"] = f"赵大明:30%;{make_uscc(4)}:70%"
    headers = REGISTRATION + DETAILS
    path = write_csv(
        store.folder / "r.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    assert store.ingest(path, dataset="registration").rejected == 0
    assert store.ingest(store.penalties("p.csv", [penalty_row(3)])).accepted == 1
    return {
        k: store.subject(uscc=make_uscc(n))["id"] for k, n in zip("ABCDE", range(1, 6), strict=True)
    }


def test_first_and_second_degree_relations_with_credit_status(
    store: Store, related: dict[str, int]
) -> None:
    ids = related
    with store.engine.connect() as conn:
        near = neighbourhood(conn, catalog(), ids["A"], AS_OF, Audience.CENTRE, depth=1)
        far = neighbourhood(conn, catalog(), ids["A"], AS_OF, Audience.CENTRE, depth=2)
    assert {n.id: n.degree for n in near.nodes} == {ids["A"]: 0, ids["B"]: 1, ids["D"]: 1}
    assert {n.id: n.degree for n in far.nodes} == {
        ids["A"]: 0, ids["B"]: 1, ids["D"]: 1, ids["C"]: 2,
    }  # fmt: skip
    edges = {(e.source, e.target, e.relation): e.via for e in far.edges}
    assert edges[(ids["A"], ids["B"], "legal_rep")] == "赵大明"
    assert edges[(ids["B"], ids["C"], "address")] == "乙路2号"
    assert edges[(ids["D"], ids["A"], "investment")] == "出资 70%"
    (c,) = [n for n in far.nodes if n.id == ids["C"]]
    assert c.penalties_in_force == 1
    assert (far.depth, far.max_nodes, far.truncated) == (2, 50, False)


def test_the_public_sees_names_of_persons_masked(store: Store, related: dict[str, int]) -> None:
    with store.engine.connect() as conn:
        graph = neighbourhood(conn, catalog(), related["A"], AS_OF, Audience.PUBLIC, depth=1)
    (rep,) = [e for e in graph.edges if e.relation == "legal_rep"]
    assert rep.via != "赵大明" and rep.via.startswith("赵")
    assert all("hmac:" not in e.via for e in graph.edges)


def test_bounds_and_unknown_subjects(store: Store, related: dict[str, int]) -> None:
    with store.engine.connect() as conn:
        small = neighbourhood(conn, catalog(), related["A"], AS_OF, Audience.CENTRE, max_nodes=2)
        assert len(small.nodes) == 2 and small.truncated
        with pytest.raises(NotFound):
            neighbourhood(conn, catalog(), 999_999, AS_OF, Audience.CENTRE)
        with pytest.raises(InvalidInput):
            neighbourhood(conn, catalog(), related["A"], AS_OF, Audience.CENTRE, depth=3)


def test_the_analytics_job_finds_the_same_relations(
    store: Store, related: dict[str, int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    ids = related
    taken = snapshot.take(
        store.engine,
        tmp_path_factory.mktemp("snap"),
        tables=["subjects", "subject_parties"],
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    answer = jobs.run(jobs.RELATED_PARTIES, taken, DuckDBEngine(), AS_OF).to_pylist()
    found = {(r["subject_a"], r["subject_b"], r["relation"]) for r in answer}
    assert found == {
        (ids["A"], ids["B"], "legal_rep"),
        (ids["B"], ids["C"], "address"),
        (ids["D"], ids["A"], "investment"),
    }
