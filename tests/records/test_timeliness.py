"""双公示 timeliness: licences and penalties online within 7 working days of the decision."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from gongxin import clock
from gongxin.db.platform_tables import calendar_days
from gongxin.identity import authorities, departments
from gongxin.records.timeliness import (
    late_page,
    late_records,
    period_bounds,
    report,
    timeliness,
)
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
    late = penalty_row(2, CF_JDRQ="2026-09-29", CF_WSH="京海市监罚〔2026〕88号")
    store.ingest(store.penalties("samr.csv", [on_time, late]), as_of=arrival)
    store.ingest(
        store.penalties("env.csv", [penalty_row(3, CF_JDRQ="2026-10-09")]),
        provider=OTHER,
        as_of=arrival,
    )
    with store.engine.connect() as conn:
        report_ = {t.department: t for t in timeliness(conn)}
        (entry,), _ = late_records(conn)
    samr, env = report_[PROVIDER], report_[OTHER]
    assert (samr.total, samr.on_time, samr.late, samr.share) == (2, 1, 1, 0.5)
    assert (entry.decision_date, entry.arrived, entry.working_days) == (
        date(2026, 9, 29),
        date(2026, 10, 15),
        8,
    )
    assert (entry.department, entry.document_number) == (PROVIDER, "京海市监罚〔2026〕88号")
    assert (env.total, env.on_time, env.late, env.share) == (1, 1, 0, 1.0)


def test_a_later_correction_does_not_change_when_the_record_arrived(store: Store) -> None:
    row = penalty_row(1, CF_JDRQ="2026-11-02")
    store.ingest(store.penalties("a.csv", [row]), as_of=at_noon_in_beijing(date(2026, 11, 5)))
    corrected = {**row, "CF_NR": "罚款人民币贰万元整"}
    late_fix = at_noon_in_beijing(date(2026, 12, 20))
    assert store.ingest(store.penalties("b.csv", [corrected]), as_of=late_fix).updated == 1
    with store.engine.connect() as conn:
        (report_,) = timeliness(conn)
    assert (report_.total, report_.on_time) == (1, 1)


def test_the_period_and_the_deadline_are_parameters(store: Store) -> None:
    rows = [penalty_row(1, CF_JDRQ="2026-11-02"), penalty_row(2, CF_JDRQ="2026-10-20")]
    store.ingest(store.penalties("a.csv", rows), as_of=at_noon_in_beijing(date(2026, 11, 5)))
    with store.engine.connect() as conn:
        (november,) = timeliness(conn, since=date(2026, 11, 1))
        (strict,) = timeliness(conn, working_days=2)
    assert (november.total, november.on_time) == (1, 1)
    assert (strict.total, strict.on_time) == (2, 0)


def test_named_periods_default_to_this_month() -> None:
    day = date(2026, 3, 15)
    assert period_bounds("this-month", day) == (date(2026, 3, 1), day)
    assert period_bounds("last-month", day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("last-year", day) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period_bounds("all", day) == (None, None)


def test_sql_lateness_equals_the_python_calendar(store: Store) -> None:
    """Random decisions around random arrivals over the published years (调休 included) and
    the years past them: the SQL verdict and interval equal clock's."""
    rng = random.Random(7)
    expected: dict[str, tuple[bool, int]] = {}
    n = 0
    for arrival_day in [date(2005, 5, 9), date(2016, 10, 12), date(2026, 2, 25)] + [
        date(2007, 1, 1) + timedelta(days=rng.randrange(9000)) for _ in range(5)
    ]:
        rows = []
        for _ in range(12):
            n += 1
            decided = arrival_day - timedelta(days=rng.randrange(0, 30))
            number = f"京海市监罚〔{decided.year}〕{n}号"
            rows.append(penalty_row(n, CF_JDRQ=decided.isoformat(), CF_WSH=number))
            late = arrival_day > clock.add_working_days(decided, 7)
            expected[number] = (late, clock.working_days_between(decided, arrival_day))
        store.ingest(store.penalties(f"{n}.csv", rows), as_of=at_noon_in_beijing(arrival_day))
    with store.engine.connect() as conn:
        (figures,) = timeliness(conn)
        late, _ = late_records(conn, size=1000)
    found = {x.document_number: x.working_days for x in late}
    assert found == {k: days for k, (is_late, days) in expected.items() if is_late}
    assert figures.total == len(expected)
    assert figures.late == sum(is_late for is_late, _ in expected.values())


def test_the_calendar_table_is_the_python_index(store: Store) -> None:
    with store.engine.connect() as conn:
        table = conn.execute(
            sa.select(
                calendar_days.c.day, calendar_days.c.is_working, calendar_days.c.working_index
            )
            .where(calendar_days.c.day.between(date(2026, 1, 1), date(2027, 12, 31)))
            .order_by(calendar_days.c.day)
        ).all()
    assert [tuple(r) for r in table] == [
        r for r in clock.calendar_rows() if date(2026, 1, 1) <= r[0] <= date(2027, 12, 31)
    ]


def test_backloads_and_decisions_before_go_live_are_not_late(store: Store) -> None:
    arrival = at_noon_in_beijing(date(2026, 11, 20))
    history = [penalty_row(1, CF_JDRQ="2019-03-04"), penalty_row(2, CF_JDRQ="2020-06-01")]
    store.ingest(store.penalties("history.csv", history), as_of=arrival, backload=True)
    recent = [penalty_row(3, CF_JDRQ="2026-06-01"), penalty_row(4, CF_JDRQ="2026-11-18")]
    store.ingest(store.penalties("recent.csv", recent), as_of=arrival)
    with store.engine.connect() as conn:
        (everything,) = timeliness(conn)
        (since_go_live,) = timeliness(conn, go_live=date(2026, 7, 1))
        late_after, _ = late_records(conn, go_live=date(2026, 7, 1))
    # the back-load is exempt whatever the date; 1 June 2026 is late, until go-live says not
    assert (everything.total, everything.on_time, everything.exempt) == (2, 1, 2)
    assert (since_go_live.total, since_go_live.on_time, since_go_live.exempt) == (1, 1, 3)
    assert late_after == []


def test_the_report_is_computed_once_a_day(store: Store) -> None:
    day = date(2026, 11, 20)
    store.ingest(
        store.penalties("a.csv", [penalty_row(1, CF_JDRQ="2026-11-02")]),
        as_of=at_noon_in_beijing(day),
    )
    rule = {"since": date(2026, 11, 1), "until": day}
    first = report(store.engine, as_of=day, now=at_noon_in_beijing(day), **rule)
    store.ingest(
        store.penalties("b.csv", [penalty_row(2, CF_JDRQ="2026-11-03")]),
        as_of=at_noon_in_beijing(day),
    )
    later = at_noon_in_beijing(day) + timedelta(hours=2)
    cached = report(store.engine, as_of=day, now=later, **rule)
    fresh = report(store.engine, as_of=day, now=later, refresh=True, **rule)
    tomorrow = report(store.engine, as_of=day + timedelta(days=1), now=later, **rule)
    assert [t.total for t in first.departments] == [1]
    assert (cached.departments, cached.computed_at) == (first.departments, first.computed_at)
    assert [t.total for t in fresh.departments] == [2] and fresh.computed_at == later
    assert [t.total for t in tomorrow.departments] == [2]


def test_late_pages_are_cached_for_the_day_until_the_figures_are_refreshed(store: Store) -> None:
    day = date(2026, 11, 20)
    noon = at_noon_in_beijing(day)
    store.ingest(store.penalties("a.csv", [penalty_row(1, CF_JDRQ="2026-11-02")]), as_of=noon)
    rule = {"since": date(2026, 11, 1), "until": day}
    (first,), more = late_page(store.engine, as_of=day, now=noon, **rule)
    assert (first.document_number, first.decision_date, first.working_days, more) == (
        "京海市监罚〔2024〕1号", date(2026, 11, 2), 14, False,
    )  # fmt: skip
    store.ingest(store.penalties("b.csv", [penalty_row(2, CF_JDRQ="2026-11-03")]), as_of=noon)
    cached, _ = late_page(store.engine, as_of=day, now=noon, **rule)
    assert cached == [first]  # the same day: the page as first computed
    report(store.engine, as_of=day, now=noon, refresh=True, **rule)  # the worker's refresh
    fresh, _ = late_page(store.engine, as_of=day, now=noon, **rule)
    assert [x.document_number for x in fresh] == ["京海市监罚〔2024〕1号", "京海市监罚〔2024〕2号"]
