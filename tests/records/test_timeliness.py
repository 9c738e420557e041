"""双公示 timeliness: licences and penalties online within 7 working days of the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gongxin.exchange import authorities, departments
from gongxin.records.timeliness import timeliness
from tests.intake.helpers import AS_OF, PROVIDER, TEST_AUTHORITIES, Store, penalty_row

OTHER = "市生态环境局"


def at_noon_in_beijing(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)  # 12:00 CST


def test_records_are_timely_within_seven_working_days_with_tiaoxiu(store: Store) -> None:
    with store.engine.begin() as conn:
        departments.add(conn, OTHER, kind="provider", code=None, now=AS_OF)
        authorities.add(conn, OTHER, TEST_AUTHORITIES, now=AS_OF)  # files for them too
    arrival = at_noon_in_beijing(date(2026, 10, 15))
    # 国庆: 1–7 Oct off, Sat 10 Oct worked. From 30 Sep the 7th working day is 15 Oct (on
    # time); from 29 Sep it is 14 Oct, so 15 Oct is late, 8 working days after the decision.
    on_time = penalty_row(1, CF_JDRQ="2026-09-30")
    late = penalty_row(2, CF_JDRQ="2026-09-29")
    store.ingest(store.penalties("samr.csv", [on_time, late]), as_of=arrival)
    store.ingest(
        store.penalties("env.csv", [penalty_row(3, CF_JDRQ="2026-10-09")]),
        provider=OTHER,
        as_of=arrival,
    )
    with store.engine.connect() as conn:
        report = {t.department: t for t in timeliness(conn)}
    samr, env = report[PROVIDER], report[OTHER]
    assert (samr.total, samr.on_time, samr.share) == (2, 1, 0.5)
    ((entry,),) = [samr.late]
    assert (entry.decision_date, entry.arrived, entry.working_days) == (
        date(2026, 9, 29),
        date(2026, 10, 15),
        8,
    )
    assert (env.total, env.on_time, env.late, env.share) == (1, 1, [], 1.0)


def test_a_later_correction_does_not_change_when_the_record_arrived(store: Store) -> None:
    row = penalty_row(1, CF_JDRQ="2026-11-02")
    store.ingest(store.penalties("a.csv", [row]), as_of=at_noon_in_beijing(date(2026, 11, 5)))
    corrected = {**row, "CF_NR": "罚款人民币贰万元整"}
    late_fix = at_noon_in_beijing(date(2026, 12, 20))
    assert store.ingest(store.penalties("b.csv", [corrected]), as_of=late_fix).updated == 1
    with store.engine.connect() as conn:
        (report,) = timeliness(conn)
    assert (report.total, report.on_time) == (1, 1)


def test_the_period_and_the_deadline_are_parameters(store: Store) -> None:
    rows = [penalty_row(1, CF_JDRQ="2026-11-02"), penalty_row(2, CF_JDRQ="2026-10-20")]
    store.ingest(store.penalties("a.csv", rows), as_of=at_noon_in_beijing(date(2026, 11, 5)))
    with store.engine.connect() as conn:
        (november,) = timeliness(conn, since=date(2026, 11, 1))
        (strict,) = timeliness(conn, working_days=2)
    assert (november.total, november.on_time) == (1, 1)
    assert (strict.total, strict.on_time) == (2, 0)
