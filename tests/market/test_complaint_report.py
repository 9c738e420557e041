"""The period report on SQLite and PostgreSQL: counts against the previous period, the daily
curve, categories, the share answered in time, typical cases anonymised, and 公示预警 whose
thresholds are data (the packaged rules, then a deployment's own file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gongxin.errors import InvalidInput
from gongxin.market import complaint_report, complaint_triage
from gongxin.market.complaint_rules import load
from tests.market.helpers import RULES, accept, file, noon, reply, token_of
from tests.workflows.helpers import COMPANY, OTHER_COMPANY, World

NOV = date(2026, 11, 2)  # a Monday


def _accepted(world: World, company: str, day: date, category: str = "refund") -> dict[str, object]:
    filed = file(world, day, [], company=company, category=category)
    return accept(world, filed.id, day) | {"id": filed.id}


def test_counts_curve_categories_timeliness_and_warnings(world: World) -> None:
    _accepted(world, OTHER_COMPANY, date(2026, 10, 20))  # October: one
    first = _accepted(world, COMPANY, NOV, "false_info")
    for day in (date(2026, 11, 3), date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 9)):
        _accepted(world, COMPANY, day)
    for day in (date(2026, 11, 4), date(2026, 11, 4), date(2026, 11, 6)):
        _accepted(world, OTHER_COMPANY, day, "after_sales")
    refused = file(world, date(2026, 11, 6), [])
    with world.engine.begin() as conn:
        complaint_triage.refuse(conn, refused.id, reason="time_barred", note="", rules=RULES,
                                actor="user:1", as_of=date(2026, 11, 6),
                                now=noon(date(2026, 11, 6)))  # fmt: skip
        complaint_triage.set_typical(
            conn, int(first["id"]), typical=True,
            text="消费者张三（电话 13800001111）称该公司网页标示有货，付款后被告知无货。",
            view="网页标价即为要约，付款即为承诺，单方取消订单构成违约。", actor="user:1",
            now=noon(NOV),
        )  # fmt: skip
    reply(world, token_of(str(first["link"])), date(2026, 11, 10))  # in time
    as_of = date(2026, 11, 30)
    with world.engine.connect() as conn:
        found = complaint_report.build(conn, RULES, "month", date(2026, 11, 15), as_of=as_of)
    assert (found["received"], found["accepted"], found["refused"]) == (9, 8, 1)
    assert found["previous"] == 1 and found["change_pct"] == 700.0
    assert found["period"].label == "2026 年 11 月" and len(found["daily"]) == 30
    by_day = {d["day"]: d for d in found["daily"]}
    assert by_day[date(2026, 11, 3)]["accepted"] == 2 and by_day[date(2026, 11, 6)]["received"] == 2
    assert found["peak"]["accepted"] == 2 and found["quiet_days"] == 30 - 6
    assert [(c["zh"], c["count"]) for c in found["categories"]] == [
        ("退款纠纷", 4), ("售后服务", 3), ("虚假信息", 1),
    ]  # fmt: skip
    assert found["companies"][0] == {
        "company_name": "北京承诺测试商贸有限公司", "company_code": COMPANY, "count": 5,
    }  # fmt: skip
    # replies were due by 30 Nov for those accepted up to 16 Nov: all 8; one came in time
    assert (found["replies_due"], found["replies_in_time"]) == (8, 1)
    assert found["in_time_pct"] == 12.5
    warned = {w["company_code"]: [r["key"] for r in w["rules"]] for w in found["warnings"]}
    assert warned == {COMPANY: ["volume", "surge", "unanswered"],
                      OTHER_COMPANY: ["surge", "unanswered"]}  # fmt: skip
    [case] = found["cases"]
    assert "张三" not in case["text"] and "13800001111" not in case["text"]
    assert case["text"].startswith("消费者张**") and case["view"].startswith("网页标价")
    csv = complaint_report.to_csv(found)
    assert csv.startswith("\ufeff日期 day,收到 received,受理 accepted") and "2026-11-03,2,2" in csv
    # the week of 2 Nov has what it should, the same figures by another period
    with world.engine.connect() as conn:
        week = complaint_report.build(conn, RULES, "week", date(2026, 11, 4), as_of=as_of)
    assert week["accepted"] == 7 and week["period"].end == date(2026, 11, 8)


def test_thresholds_are_the_deployments_data(world: World, tmp_path: Path) -> None:
    for day in (NOV, date(2026, 11, 3)):
        _accepted(world, COMPANY, day)
    own = tmp_path / "complaints.yaml"
    packaged = Path(complaint_report.__file__).parent / "data" / "complaints.yaml"
    own.write_text(
        packaged.read_text(encoding="utf-8").replace("    min_count: 5", "    min_count: 2"),
        encoding="utf-8",
    )
    with world.engine.connect() as conn:
        by_default = complaint_report.build(conn, RULES, "month", NOV, as_of=NOV)
        by_own = complaint_report.build(conn, load(own), "month", NOV, as_of=NOV)
    assert by_default["warnings"] == []
    assert [r["key"] for r in by_own["warnings"][0]["rules"]] == ["volume"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(packaged.read_text(encoding="utf-8").replace("min_count: 3", "min_count: 0"),
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(InvalidInput, match="warnings"):
        load(broken)
    with world.engine.connect() as conn, pytest.raises(InvalidInput, match="统计周期"):
        complaint_report.build(conn, RULES, "fortnight", NOV, as_of=NOV)
