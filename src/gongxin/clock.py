"""Time as the platform judges it: China's calendar dates and statutory working days.

Domain functions never read the wall clock: the CLI and the web layer read it once per command
or request and pass the moment down as ``as_of``. Calendar dates are those of China Standard
Time (UTC+8, no daylight saving), whatever the server's own time zone: a decision made on
1 March in Beijing is dated 1 March even at 07:00 when UTC still says 28 February.

Working days follow the State Council's yearly holiday arrangement, 调休 make-up days included,
as published data (the ``chinesecalendar`` package), never computed. For a year the data does
not cover yet, Monday to Friday count as working days and a warning is logged once per year:
deadlines then may be off by the holidays of that year until the package is updated.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import chinese_calendar

from gongxin.logs import get_logger

CHINA_TZ = timezone(timedelta(hours=8), "CST")
LONG_TERM = date(2099, 12, 31)  # the 双公示 convention: 2099/12/31 means 长期 (long-term)
log = get_logger(__name__)


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


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count).

    >>> add_working_days(date(2026, 9, 30), 1)  # the National Day holiday lies between
    datetime.date(2026, 10, 8)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
