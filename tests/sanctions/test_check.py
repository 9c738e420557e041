"""The credit check: each list type gives exactly its memoranda's measures in a scene; removal
ends them; red lists give rewards; names match exactly, normalised, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from gongxin.db.audit_tables import audit_log
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.errors import InvalidInput, TooLarge
from gongxin.sanctions import lists, log, scenes
from tests.intake.helpers import catalog
from tests.sanctions.helpers import TODAY, World, expected_measures, open_world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def _ids(result: dict[str, object]) -> set[str]:
    found = result["measures"] + result["rewards"]  # type: ignore[operator]
    return {m["id"] for m in found}


def test_each_list_type_gets_exactly_its_memoranda_measures_in_each_scene(world: World) -> None:
    types = lists.list_types(catalog())
    assert {"dishonest_debtor", "red_list", "tax_a", "commitment_breach"} <= set(types)
    codes = {}
    for n, lt in enumerate(types.values(), 1):
        sid, code = world.subject(n)
        world.entry("commitment" if lt.derived else lt.code, code, subject_id=sid)
        codes[lt.code] = code
    some_measure = False
    for scene in scenes.scenes():
        done = world.check(list(codes.values()), scene=scene.name)
        for code, result in zip(codes, done.results, strict=True):
            assert [h["list_type"] for h in result["hits"]] == [code]
            wanted = expected_measures(code, types[code].kind, scene.code)
            assert _ids(result) == wanted, (code, scene.code)
            some_measure = some_measure or bool(wanted)
            kinds = {m["kind"] for m in result["measures"]} | {"punish"}
            assert kinds == {"punish"}
    assert some_measure


def test_every_list_type_has_a_measure_in_the_starter_set() -> None:
    for code, lt in lists.list_types(catalog()).items():
        assert any(expected_measures(code, lt.kind, s.code) for s in scenes.scenes()), code


def test_a_debtor_in_procurement(world: World) -> None:
    sid, code = world.subject(1, "北京失信商贸有限公司")
    world.entry("dishonest_debtor", code, subject_id=sid, listed="2025-03-01")
    (result,) = world.check([code]).results
    assert result["match"] == "code" and result["confidence"] == 1.0
    assert result["subject"]["name"] == "北京失信商贸有限公司"
    texts = [m["text"] for m in result["measures"]]
    assert "限制失信被执行人参加政府采购活动" in texts
    measure = result["measures"][0]
    assert measure.keys() >= {"id", "text", "kind", "scene", "legal_basis", "department"}
    assert measure["scene"] == "政府采购"
    assert result["rewards"] == []
    assert "失信被执行人" in result["explanation"] and "政府采购" in result["explanation"]


def test_removal_stops_measures_from_the_removal_date(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("serious_dishonest_list", code, subject_id=sid, listed="2024-05-01",
                planned="2027-05-01", removed="2026-06-15")  # fmt: skip
    before = world.check([code], as_of=date(2026, 6, 14)).results[0]
    on = world.check([code], as_of=date(2026, 6, 15)).results[0]
    after = world.check([code], as_of=TODAY).results[0]
    assert before["hits"] and before["measures"]
    assert on["hits"] == [] and on["measures"] == []
    assert after["hits"] == [] and after["measures"] == []
    assert "未列入" in after["explanation"]


def test_planned_end_and_future_listing(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("abnormal_list", code, subject_id=sid, listed="2026-01-01", planned="2026-03-31")
    at = world.check
    assert at([code], as_of=date(2025, 12, 31)).results[0]["hits"] == []
    assert at([code], as_of=date(2026, 3, 31)).results[0]["hits"]
    assert at([code], as_of=date(2026, 4, 1)).results[0]["hits"] == []


def test_red_list_subjects_get_rewards(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("red_list", code, subject_id=sid, planned="2099-12-31")
    (result,) = world.check([code], scene="财政资金补助").results
    assert result["measures"] == []
    assert result["rewards"] and {r["kind"] for r in result["rewards"]} == {"reward"}
    assert "激励" in result["explanation"]


def test_unlinked_entry_found_by_code(world: World) -> None:
    from tests.intake.helpers import make_uscc

    code = make_uscc(777)
    world.entry("tax_violation", code, name="未登记公司")
    (result,) = world.check([code]).results
    assert result["subject"]["registered"] is False
    assert [h["list_type"] for h in result["hits"]] == ["tax_violation"]


def test_names_exact_normalised_ambiguous_unknown(world: World) -> None:
    sid, code = world.subject(1, "北京某某（集团）有限责任公司")
    world.entry("dishonest_debtor", code, subject_id=sid)
    world.subject(2, "重名公司")
    world.subject(3, "重名公司")
    items = ["北京某某（集团）有限责任公司", "北京某某(集团)有限公司", "重名公司", "查无此名公司"]
    exact, norm, ambiguous, unknown = world.check(items).results
    assert (exact["match"], exact["confidence"]) == ("name_exact", 1.0)
    assert norm["match"] == "name_normalised" and 0 < norm["confidence"] < 1
    assert exact["hits"] and norm["hits"] and norm["subject"]["code"] == code
    assert "规范化名称" in norm["explanation"]
    assert ambiguous["error"]["error"] == "ambiguous_name"
    assert len(ambiguous["error"]["candidates"]) == 2
    assert unknown["error"]["error"] == "unknown_name"


def test_malformed_items_do_not_fail_the_others(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("dishonest_debtor", code, subject_id=sid)
    bad = code[:-1] + ("1" if code[-1] != "1" else "2")
    results = world.check([123, code, bad, "", "12345"]).results
    assert [r["position"] for r in results] == [0, 1, 2, 3, 4]
    assert results[0]["error"]["error"] == "invalid_item"
    assert results[1]["hits"]
    assert results[2]["error"]["error"] == "invalid_code"
    assert "校验码" in results[2]["error"]["zh"] and results[2]["error"]["position"] == 2
    assert results[3]["error"]["error"] == "invalid_item"
    assert "长度" in results[4]["error"]["zh"]


def test_unknown_scene_and_oversize(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        world.check(["x"], scene="买菜")
    assert "政府采购" in exc.value.zh and "gov_procurement" in exc.value.en
    from gongxin.sanctions import check

    req = check.Request(["a"] * 11, "政府采购", "a", "b", TODAY)
    with world.engine.begin() as conn, pytest.raises(TooLarge) as big:
        check.run(conn, catalog(), req, now=world_now(), actor="cli", department_id=None,
                  max_subjects=10)  # fmt: skip
    assert big.value.details["limit"] == 10


def world_now() -> datetime:
    from tests.intake.helpers import AS_OF

    return AS_OF


def test_every_check_is_logged(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("dishonest_debtor", code, subject_id=sid)
    _, clean = world.subject(2)
    done = world.check([code, clean, "bad"])
    with world.engine.connect() as conn:
        logged = log.get_check(conn, done.id)
        listed = log.list_checks(conn, department_id=world.department_id)
        audited = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "sanctions.check")
        ).scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(check_results)).scalar_one()
        header = conn.execute(sa.select(checks)).mappings().one()
    summary = logged["check"]
    assert (summary.subjects, summary.hits, summary.errors) == (3, 1, 1)
    assert (summary.requester, summary.scene) == ("张经办", "gov_procurement")
    assert summary.purpose == "供应商资格审查"
    assert [c.id for c in listed] == [done.id] and audited == 1 and rows == 3
    assert header["as_of"] == TODAY
    hit, clean_row, bad = logged["results"]
    assert hit["subject_code"] == code and hit["measures"][0]["id"].startswith("fgcj-2016-141-")
    assert clean_row["match"] == "code" and clean_row["hits"] == [] and clean_row["measures"] == []
    assert bad["error"]["error"] == "unknown_name" and bad["match"] == "none"
