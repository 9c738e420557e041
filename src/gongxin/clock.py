"""Time as the platform judges it: China's calendar dates and statutory working days.

Domain functions never read the wall clock: the CLI and the web layer read it once per command
or request and pass the moment down as ``as_of``. Calendar dates are those of China Standard
Time (UTC+8, no daylight saving), whatever the server's own time zone: a decision made on
1 March in Beijing is dated 1 March even at 07:00 when UTC still says 28 February.

Working days follow the State Council's yearly holiday arrangement, 调休 make-up days included,
as published data (the ``chinesecalendar`` package), never computed. For a year the data does
not cover yet, Monday to Friday count as working days and a warning is logged once per year:
deadlines then may be off by the holidays of that year until the package is updated.

Counting working days is one lookup: a cumulative working-day index (the working days from
:data:`FIRST_DAY` up to and including each day) is built once per process for every day from
:data:`FIRST_DAY` to the end of :data:`FALLBACK_YEARS` years past the last year the data covers,
and the number of working days between two days is the difference of their indexes. Outside
that range the index goes on with Monday to Friday in closed form. The same index is kept in
the store as the table ``calendar_days`` (``gongxin.db.calendar``), so SQL counts alike.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import chinese_calendar

from gongxin.logs import get_logger

CHINA_TZ = timezone(timedelta(hours=8), "CST")
LONG_TERM = date(2099, 12, 31)  # the 双公示 convention: 2099/12/31 means 长期 (long-term)
log = get_logger(__name__)

FIRST_DAY = date(2000, 1, 1)  # the first day of the working-day index
FALLBACK_YEARS = 20  # years past the published data the index reaches (Monday to Friday)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken as UTC already (SQLite hands stored timestamps
    back without their zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar date in China at ``moment`` (a naive moment is taken as UTC)."""
    return as_utc(moment).astimezone(CHINA_TZ).date()


@lru_cache(maxsize=64)
def calendar_covers(year: int) -> bool:
    """Whether the statutory holiday arrangement of ``year`` is known."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        log.warning(
            "calendar.year_unknown",
            year=year,
            zh=f"{year} 年的法定节假日安排未知，按周一至周五计算工作日",
            en=f"no statutory holiday data for {year}: counting Monday to Friday",
        )
        return False
    return True


def is_working_day(day: date) -> bool:
    """A statutory working day: weekdays that are not holidays, plus 调休 make-up days."""
    if calendar_covers(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def last_known_year() -> int:
    """The last year whose holiday arrangement the installed ``chinesecalendar`` publishes."""
    return int(max(chinese_calendar.constants.holidays).year)


def last_indexed_day() -> date:
    """The last day of the working-day index (and of the ``calendar_days`` table)."""
    return date(last_known_year() + FALLBACK_YEARS, 12, 31)


def _published_working(day: date) -> bool:
    """``is_working_day`` without the warning: for building the index ahead of time."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _weekdays_to(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including ``day``."""
    n = day.toordinal()
    return 5 * (n // 7) + min(n % 7, 5)


@lru_cache(maxsize=1)
def _index() -> tuple[array[int], array[int]]:
    """(cumulative working days, 1/0 working) for each day from FIRST_DAY to the last."""
    holidays, workdays = chinese_calendar.constants.holidays, chinese_calendar.constants.workdays
    published = range(min(holidays).year, last_known_year() + 1)
    days = (last_indexed_day() - FIRST_DAY).days + 1
    cumulative, working = array("q", [0]) * days, array("b", [0]) * days
    total = 0
    day = FIRST_DAY
    for offset in range(days):
        if day.year in published:  # what chinese_calendar.is_workday says, without its checks
            is_working = day in workdays or (day.weekday() < 5 and day not in holidays)
        else:
            is_working = day.weekday() < 5
        if is_working:
            total += 1
            working[offset] = 1
        cumulative[offset] = total
        day += timedelta(days=1)
    return cumulative, working


def calendar_rows() -> list[tuple[date, bool, int]]:
    """(day, is_working, working_index) for every day of the index: the table's content."""
    cumulative, working = _index()
    return [
        (FIRST_DAY + timedelta(days=i), bool(working[i]), cumulative[i])
        for i in range(len(cumulative))
    ]


def working_index(day: date) -> int:
    """The working days from FIRST_DAY up to and including ``day`` (lower before FIRST_DAY):
    ``working_index(b) - working_index(a)`` counts the working days in (a, b]."""
    cumulative, _ = _index()
    offset = (day - FIRST_DAY).days
    if offset < 0:
        return (
            cumulative[0]
            - _published_working(FIRST_DAY)
            - (_weekdays_to(FIRST_DAY - timedelta(days=1)) - _weekdays_to(day))
        )
    if offset >= len(cumulative):
        last = FIRST_DAY + timedelta(days=len(cumulative) - 1)
        return cumulative[-1] + _weekdays_to(day) - _weekdays_to(last)
    return cumulative[offset]


def _warn_if_unknown(*days: date) -> None:
    for day in days:
        calendar_covers(day.year)  # logs once per year the data does not cover


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count).

    >>> add_working_days(date(2026, 9, 30), 1)  # the National Day holiday lies between
    datetime.date(2026, 10, 8)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    cumulative, _ = _index()
    target = working_index(start) + days
    offset = bisect_left(cumulative, target)  # the first day whose count reaches the target
    if start >= FIRST_DAY and offset < len(cumulative):
        found = FIRST_DAY + timedelta(days=offset)
        _warn_if_unknown(start, found)
        return found
    day, counted = start, 0  # outside the index: day by day, Monday to Friday
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``).
    One lookup, whatever the distance."""
    if end <= start:
        return 0
    _warn_if_unknown(start, end)
    return working_index(end) - working_index(start)
