"""An industry evaluation round (行业信用评价): applications, grades with their codes, the 公示
and its deadline, objections through the objection workflow, publication and certificates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import records
from gongxin.errors import Conflict, Forbidden, InvalidInput
from gongxin.market import certificate, evaluation_publicity, evaluation_round
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor
from gongxin.market.evaluation_rules import rules
from gongxin.records.gate import Audience
from gongxin.subjects.profile import visible_records
from tests.market.rating_helpers import START, Rating, noon

END = date(2026, 7, 22)  # 10 calendar days from Mon 13 Jul, both ends counted


def public_grades(rating: Rating, code: str, on: date) -> list[tuple[str, str]]:
    with rating.engine.connect() as conn:
        found = visible_records(conn, load_catalog(), code, audience=Audience.PUBLIC, as_of=on)
    return [
        (r["data"]["PJ_XYDJ"], r["data"]["PJ_JGZT"])
        for r in found
        if r["dataset"] == "industry_evaluation"
    ]


def test_grades_carry_the_codes_of_the_nine_grade_scale(rating: Rating) -> None:
    rid = rating.round()
    for n, (grade, code) in enumerate(
        [("AAA", "111"), ("A+", "001"), ("A-", "001"), ("BBB", "222"), ("CC", "033"),
         ("AAA★", "111")], 1,
    ):  # fmt: skip
        entry, _ = rating.apply(rid, n, grade)
        assert (rating.entry(entry).grade, rating.entry(entry).grade_code) == (grade, code)
    with pytest.raises(InvalidInput, match="信用等级“AAAA”无效") as caught:
        rating.apply(rid, 20, "AAAA")
    assert caught.value.details["rule"] == "grade_scale"
    with pytest.raises(InvalidInput, match="统一社会信用代码"), rating.engine.begin() as conn:
        evaluation_round.apply(conn, rid, company="某某公司", code="91110000XXXXXXXXXX",
                               materials=[], actor=rating.clerk, now=noon(START))  # fmt: skip


def test_publicity_lasts_ten_calendar_days_then_the_results_stand(rating: Rating) -> None:
    rid = rating.round()
    entry, code = rating.apply(rid, 1, "AA")
    rejected, _ = rating.apply(rid, 2, None)
    with pytest.raises(Conflict, match="未评定等级"):
        rating.start(rid)
    with rating.engine.begin() as conn:
        evaluation_round.reject(conn, rejected, "经营不满三个完整会计年度", actor=rating.clerk,
                                now=noon(START))  # fmt: skip
    assert rating.start(rid) == END
    # during the 公示 the preliminary result is public, marked 公示中
    assert public_grades(rating, code, START) == [("AA", "公示中")]
    assert public_grades(rating, code, END) == [("AA", "公示中")]
    with pytest.raises(Conflict, match="2026-07-23 起方可发布"):
        rating.publish(rid, END)
    # after the 公示 and before publication nobody may rely on it: not public
    assert public_grades(rating, code, END + timedelta(days=1)) == []
    assert rating.publish(rid, END + timedelta(days=1)) == {"awarded": 1, "sustained": 0}
    got = rating.entry(entry)
    assert got.state == "awarded" and got.certificate_no == "202600101100001"
    assert got.issued_on == date(2026, 7, 23) and got.valid_until == date(2029, 7, 22)
    assert public_grades(rating, code, date(2029, 7, 22)) == [("AA", "有效")]
    assert public_grades(rating, code, date(2029, 7, 23)) == []  # expired
    assert rating.entry(rejected).state == "rejected"
    with pytest.raises(Conflict, match="已发布"):
        rating.publish(rid, END + timedelta(days=2))


def test_publicity_days_are_configurable_in_working_days(rating: Rating) -> None:
    rid = rating.round(days=5, kind="working")
    rating.apply(rid, 1, "A")
    # from Wed 30 Sep 2026: 1–7 Oct are the National Day holiday, Sat 10 Oct is worked
    assert rating.start(rid, date(2026, 9, 30)) == date(2026, 10, 12)  # 30 Sep, 8, 9, 10, 12


def test_an_open_objection_blocks_publication(rating: Rating) -> None:
    rid = rating.round()
    entry, code = rating.apply(rid, 1, "AAA")
    rating.apply(rid, 2, "A")
    rating.start(rid)
    record_id = rating.entry(entry).record_id
    filed = rating.object(record_id, code, date(2026, 7, 15))
    assert filed.number.startswith("YY")
    with rating.engine.connect() as conn:
        status = conn.execute(sa.select(records.c.status).where(records.c.id == record_id))
        assert status.scalar() == "objection"  # 异议处理中 on the public record
        dept = conn.execute(sa.select(records.c.department_id).where(records.c.id == record_id))
        assert dept.scalar() == rating.evaluator.department_id  # the evaluator decides it
    with pytest.raises(Conflict) as caught:
        rating.publish(rid, END + timedelta(days=1))
    assert "异议尚未办结" in caught.value.zh and filed.number in caught.value.zh
    assert "objection" in caught.value.en and caught.value.details["open"] == [filed.number]
    rating.decide(filed.id, "upheld", date(2026, 7, 24))  # 维持: the objection is not founded
    assert rating.publish(rid, date(2026, 7, 24)) == {"awarded": 2, "sustained": 0}
    assert rating.entry(entry).state == "awarded"


def test_a_sustained_objection_stops_that_result_standing(rating: Rating) -> None:
    rid = rating.round()
    entry, code = rating.apply(rid, 1, "AAA")
    other, _ = rating.apply(rid, 2, "BB")
    rating.start(rid)
    filed = rating.object(rating.entry(entry).record_id, code, date(2026, 7, 20))
    rating.decide(filed.id, "withdrawn", date(2026, 7, 21))  # the objection is found right
    assert rating.publish(rid, date(2026, 7, 23)) == {"awarded": 1, "sustained": 1}
    got = rating.entry(entry)
    assert got.state == "sustained" and got.certificate_no is None and filed.number in got.note
    assert public_grades(rating, code, date(2026, 8, 1)) == []
    assert rating.entry(other).certificate_no == "202600102200001"  # BB = 022, first serial


def test_no_objection_after_the_publicity_ends(rating: Rating) -> None:
    rid = rating.round()
    entry, code = rating.apply(rid, 1, "AA")
    rating.start(rid)
    from gongxin.errors import NotFound

    with pytest.raises(NotFound):  # the record is no longer public: nothing to object to
        rating.object(rating.entry(entry).record_id, code, END + timedelta(days=1))


def test_an_evaluator_acts_only_on_its_own_rounds(rating: Rating) -> None:
    rid = rating.round()
    with rating.engine.begin() as conn:
        other = evaluators.register(conn, "某第三方信用评价机构", code="901", kind="agency",
                                    now=noon(START))  # fmt: skip
        with pytest.raises(Forbidden, match="不属于本机构"):
            evaluation_round.own_round(conn, rid, Actor("user:x", other.department_id))
        with pytest.raises(Conflict, match="协会代码 001 已被占用"):
            evaluators.register(conn, "另一协会", code="001", kind="association", now=noon(START))
        with pytest.raises(InvalidInput, match="3 位数字"):
            evaluators.register(conn, "另一协会", code="1", kind="association", now=noon(START))


def test_certificate_numbers_follow_the_scheme() -> None:
    r = rules()
    assert certificate.number(2007, "001", "011", 35) == "200700101100035"  # the source's example
    parts = certificate.parse("200700101100035", r)
    assert (parts.year, parts.association, parts.grade_code, parts.serial) == (
        2007,
        "001",
        "011",
        35,
    )
    with pytest.raises(InvalidInput, match="15 位数字"):
        certificate.parse("20070010110003", r)
    with pytest.raises(InvalidInput, match="等级代码 999"):
        certificate.parse("200700199900035", r)


def test_serials_count_per_evaluator_and_year(rating: Rating) -> None:
    first = rating.round()
    a, _ = rating.apply(first, 1, "AAA")
    b, _ = rating.apply(first, 2, "A+")
    rating.start(first)
    rating.publish(first, END + timedelta(days=1))
    second = rating.round()
    c, _ = rating.apply(second, 3, "BBB")
    rating.start(second, date(2026, 8, 3))
    with pytest.raises(Conflict, match="已开始公示"):
        rating.start(second, date(2026, 8, 4))
    rating.publish(second, date(2026, 8, 13))
    next_year = rating.round(year=2027)
    d, _ = rating.apply(next_year, 4, "AA")
    rating.start(next_year, date(2027, 3, 1))
    rating.publish(next_year, date(2027, 3, 11))
    assert [rating.entry(e).certificate_no for e in (a, b, c, d)] == [
        "202600111100001", "202600100100002", "202600122200003", "202700101100001",
    ]  # fmt: skip
    with rating.engine.connect() as conn:
        assert [o["number"] for o in evaluation_publicity.objections(conn, first)] == []
