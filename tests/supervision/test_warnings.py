"""Warning rules fire on their planted case and not on a near miss; each warning names its
rule, legal hook, evidence and explanation; the queue refuses stale decisions; a malformed
rule file is refused naming file, key and rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gongxin.analytics.engines import DuckDBEngine
from gongxin.audit import log as audit
from gongxin.errors import Conflict, InvalidInput
from gongxin.supervision import warning_queue
from gongxin.supervision.rules import InvalidRules, load_rules
from gongxin.supervision.warnings import run
from tests.intake.helpers import REGISTRATION, Store, catalog, make_uscc, penalty_row, write_csv
from tests.sanctions.helpers import World
from tests.subjects.test_registration_details import DETAILS, detailed_row

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
REP_LISTED = "11010519491231002X"
REP_PLAIN = "360426199101010071"
RECENT = "2026-03-01|法定代表人|甲|乙;2026-06-01|法定代表人|乙|丙;2026-09-01|法定代表人|丙|丁"
SPREAD = "2025-03-01|法定代表人|甲|乙;2026-06-01|法定代表人|乙|丙;2026-09-01|法定代表人|丙|丁"


def reg(n: int, **values: str) -> dict[str, str]:
    base = {"法定代表人证件号码": "", "股东及出资信息": "", "变更记录": "", "联系电话": "",
            "电子邮箱": "", "注册地址": f"独立路{n}号"}  # fmt: skip
    return detailed_row(n, **(base | values))


@pytest.fixture
def planted(store: Store) -> dict[int, int]:
    rows = [
        reg(1, 法定代表人证件号码=REP_LISTED),  # on the serious list
        reg(2, 法定代表人证件号码=REP_LISTED),  # same person: fires
        reg(3, 法定代表人证件号码=REP_PLAIN),  # near miss: shares a rep, nobody listed
        reg(4, 法定代表人证件号码=REP_PLAIN),
        *(reg(n, 注册地址="集中路9号") for n in range(5, 10)),  # five at one address: fire
        *(reg(n, 注册地址="近邻路8号") for n in range(10, 14)),  # four: near miss
        reg(14, 变更记录=RECENT),  # three changes within a year: fires
        reg(15, 变更记录=SPREAD),  # three changes, one of them older: near miss
        reg(16, 注册日期="2026-10-01"),  # a penalty 31 days after registration: fires
        reg(17, 注册日期="2015-03-02"),  # near miss: registered long before
        reg(18),  # abnormal list, then a licence: fires
        reg(19),  # near miss: licence, listed only later
    ]
    headers = REGISTRATION + DETAILS
    path = write_csv(
        store.folder / "r.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    assert store.ingest(path, dataset="registration").rejected == 0
    ids = {n: store.subject(uscc=make_uscc(n))["id"] for n in range(1, 20)}
    penalties = [penalty_row(n, CF_JDRQ="2026/11/01", CF_WSH=f"京海市监罚〔2026〕{n}号")
                 for n in (16, 17)]  # fmt: skip
    assert store.ingest(store.penalties("p.csv", penalties)).accepted == 2
    world = World(store.engine, key="", department_id=0)
    world.entry("serious_dishonest_list", make_uscc(1), subject_id=ids[1], listed="2026-01-10")
    world.entry("abnormal_list", make_uscc(18), subject_id=ids[18], listed="2026-02-01")
    world.entry("licence", make_uscc(18), subject_id=ids[18], listed="2026-05-01")
    world.entry("licence", make_uscc(19), subject_id=ids[19], listed="2026-01-01")
    world.entry("abnormal_list", make_uscc(19), subject_id=ids[19], listed="2026-02-01")
    return ids


def fired(store: Store, tmp_path: Path) -> dict[str, set[int]]:
    rules = load_rules(catalog())
    run(store.engine, catalog(), rules, DuckDBEngine(), as_of=TODAY, now=NOW, work_dir=tmp_path)
    with store.engine.connect() as conn:
        found = warning_queue.list_warnings(conn, None)
    out: dict[str, set[int]] = {}
    for w in found:
        out.setdefault(w.rule_id, set()).add(w.subject_id)
    return out


def test_each_rule_fires_on_its_planted_case_and_not_on_the_near_miss(
    store: Store, planted: dict[int, int], tmp_path: Path
) -> None:
    ids = planted
    found = fired(store, tmp_path)
    assert found["listed_rep_elsewhere"] == {ids[2]}
    assert found["address_cluster"] == {ids[n] for n in range(5, 10)}
    assert found["frequent_changes"] == {ids[14]}
    assert found["penalty_after_registration"] == {ids[16]}
    assert found["abnormal_while_licensed"] == {ids[18]}


def test_a_warning_explains_itself(store: Store, planted: dict[int, int], tmp_path: Path) -> None:
    fired(store, tmp_path)
    with store.engine.connect() as conn:
        (w,) = [x for x in warning_queue.list_warnings(conn) if x.rule_id == "listed_rep_elsewhere"]
    assert w.severity == "高" and "第十二条" in w.legal_hook
    assert "北京测试1商贸有限公司" in w.explanation and "严重违法失信名单" in w.explanation
    (item,) = w.evidence["items"]
    assert item["related_id"] == planted[1] and item["record_id"] is not None


def test_the_queue_assigns_confirms_dismisses_and_refuses_stale_forms(
    store: Store, planted: dict[int, int], tmp_path: Path
) -> None:
    fired(store, tmp_path)
    with store.engine.begin() as conn:
        first, second, *_ = warning_queue.list_warnings(conn)
        assigned = warning_queue.assign(
            conn, first.id, revision=first.revision, assignee="王科员", actor="centre", now=NOW
        )
        with pytest.raises(Conflict):  # the form still shows the old revision
            warning_queue.confirm(conn, first.id, revision=first.revision, actor="c", now=NOW)
        done = warning_queue.confirm(
            conn, first.id, revision=assigned.revision, actor="centre", now=NOW
        )
        assert done.status == "confirmed"
        with pytest.raises(InvalidInput):
            warning_queue.dismiss(conn, second.id, revision=second.revision, actor="c", now=NOW,
                                  reason=" ")  # fmt: skip
        warning_queue.dismiss(conn, second.id, revision=second.revision, actor="c", now=NOW,
                              reason="已核实为集中办公登记")  # fmt: skip
    with store.engine.connect() as conn:  # every decision is in the audit log
        logged = audit.entries(conn)
    actions = [e.action for e in logged if e.target == f"warning:{first.id}"]
    assert actions == ["warning.assigned", "warning.confirmed"]
    fired(store, tmp_path / "again")  # a second run keeps the decisions
    with store.engine.connect() as conn:
        assert warning_queue.get(conn, first.id).status == "confirmed"
        assert warning_queue.get(conn, second.id).status == "dismissed"


def test_a_rule_file_with_an_unknown_key_or_dataset_is_refused(tmp_path: Path) -> None:
    packaged = Path(load_rules.__code__.co_filename).with_name("warning_rules.yaml")
    text = packaged.read_text("utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text(text.replace("    severity: 中\n", "    severity: 中\n    sevrity: 高\n", 1))
    with pytest.raises(InvalidRules) as caught:
        load_rules(catalog(), typo)
    assert caught.value.details == {"file": str(typo), "key": "sevrity", "rule": "address_cluster"}
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("licences: [licence]", "licences: [license]"))
    with pytest.raises(InvalidRules) as caught:
        load_rules(catalog(), unknown)
    assert caught.value.details["key"] == "params.licences"
    assert caught.value.details["rule"] == "abnormal_while_licensed"
