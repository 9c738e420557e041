"""A certificate's life: valid for 3 years with two annual reviews (pass, downgrade with a new
number, cancel), and revoked at once when its company lands on a serious list."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.workflow_tables import outbox
from gongxin.errors import Conflict, InvalidInput
from gongxin.market import certificate_status
from gongxin.market.evaluation_rules import rules
from gongxin.worker import registry
from tests.market.rating_helpers import Rating, noon

ISSUED = date(2026, 7, 23)


def awarded(rating: Rating, n: int = 1, grade: str = "AA") -> tuple[int, str]:
    rid = rating.round()
    entry, code = rating.apply(rid, n, grade)
    rating.start(rid)
    rating.publish(rid, ISSUED)
    return entry, code


def review(
    rating: Rating, entry: int, outcome: str, on: date, grade: str = ""
) -> dict[str, object]:
    with rating.engine.begin() as conn:
        return certificate_status.review(
            conn, load_catalog(), rules(), entry, outcome, actor=rating.clerk, as_of=on,
            now=noon(on), grade=grade, note="年审材料齐全",
        )  # fmt: skip


def live(rating: Rating, cert_no: str, on: date) -> dict[str, object]:
    with rating.engine.connect() as conn:
        found = certificate_status.live(conn, cert_no, on)
    assert found is not None
    return found


def test_valid_three_years_with_two_annual_reviews(rating: Rating) -> None:
    entry, _ = awarded(rating)
    with rating.engine.connect() as conn:
        due = certificate_status.reviews(conn, entry)
        assert certificate_status.due_reviews(conn, None, date(2027, 4, 22)) == []
        opened = certificate_status.due_reviews(conn, None, date(2027, 4, 23))
    assert [(r["number"], r["due_on"], r["papers_due_on"]) for r in due] == [
        (1, date(2027, 7, 23), date(2027, 4, 23)), (2, date(2028, 7, 23), date(2028, 4, 23)),
    ]  # fmt: skip
    assert [(r["number"], r["overdue"]) for r in opened] == [(1, False)]
    with pytest.raises(Conflict, match="2027-04-23 起提交"):
        review(rating, entry, "pass", date(2027, 4, 1))
    assert review(rating, entry, "pass", date(2027, 5, 1))["grade"] == "AA"
    cert = rating.entry(entry).certificate_no
    assert live(rating, cert, date(2029, 7, 22))["state_zh"] == "有效"
    assert live(rating, cert, date(2029, 7, 23))["state_zh"] == "已过期"


def test_a_downgrade_gives_a_new_number_and_a_cancel_ends_it(rating: Rating) -> None:
    entry, _ = awarded(rating, grade="AAA")
    with pytest.raises(InvalidInput, match="须低于原等级"):
        review(rating, entry, "downgrade", date(2027, 6, 1), grade="AAA")
    done = review(rating, entry, "downgrade", date(2027, 6, 1), grade="A")
    assert done["certificate_no"] == "202600100100001"  # A = 001, same year and serial
    assert rating.entry(entry).grade == "A"
    done = review(rating, entry, "cancel", date(2028, 5, 1))
    got = rating.entry(entry)
    assert got.state == "cancelled" and "第 2 次年审未通过" in got.revoked_reason
    assert live(rating, got.certificate_no, date(2028, 5, 2))["state_zh"] == "已注销"
    with pytest.raises(Conflict, match="不在有效期内"):
        review(rating, entry, "pass", date(2028, 6, 1))


def test_a_serious_list_entry_revokes_the_certificate_and_flags_it(rating: Rating) -> None:
    entry, code = awarded(rating)
    other, other_code = awarded(rating, n=2, grade="A")
    with rating.engine.begin() as conn:
        conn.execute(sa.text("UPDATE departments SET notify_email = 'xpb@example.org' "
                             "WHERE kind = 'evaluator'"))  # fmt: skip
    rating.world.entry("abnormal_list", other_code, name="测试2建材有限公司", listed="2026-08-01")
    sid = rating.entry(entry).subject_id
    listed = rating.world.entry(
        "serious_dishonest_list", code, subject_id=sid, name="测试1建材有限公司",
        listed="2026-09-01",
    )  # fmt: skip
    assert rating.sweep(date(2026, 8, 31)) == 0  # not yet listed
    assert rating.sweep(date(2026, 9, 1)) == 1
    got = rating.entry(entry)
    assert got.state == "revoked" and got.flagged and got.revoked_on == date(2026, 9, 1)
    assert f"记录 {listed}" in got.revoked_reason and "严重违法失信名单" in got.revoked_reason
    assert rating.entry(other).state == "awarded"  # 经营异常名录 is not a serious list
    shown = live(rating, got.certificate_no, date(2026, 9, 2))
    assert (shown["state_zh"], shown["state_en"]) == ("已撤销", "revoked")
    with rating.engine.connect() as conn:
        mails = conn.execute(sa.select(outbox.c.to_addr, outbox.c.subject)).all()
        assert certificate_status.flagged(conn, rating.evaluator.id)[0]["id"] == entry
    assert any(to == "xpb@example.org" and "已自动撤销" in s for to, s in mails)
    assert rating.sweep(date(2026, 9, 2)) == 0  # once
    with rating.engine.begin() as conn:
        certificate_status.acknowledge(conn, entry, actor=rating.clerk, now=noon(date(2026, 9, 2)))
        assert certificate_status.flagged(conn, rating.evaluator.id) == []


def test_the_worker_job_revokes(rating: Rating) -> None:
    entry, code = awarded(rating)
    rating.world.entry("dishonest_debtor", code, name="测试1建材有限公司", listed="2026-09-01")
    job = registry.get("rating-revocations")
    from gongxin.settings import Settings

    settings = Settings(database_url=str(rating.engine.url.render_as_string(hide_password=False)))
    assert job.run(rating.engine, settings, noon(date(2026, 9, 3))) == {"revoked": 1}
    assert rating.entry(entry).state == "revoked"
