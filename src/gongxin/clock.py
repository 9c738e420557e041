"""Time as the platform judges it.

Domain functions never read the wall clock: the CLI and the web layer read it once per command
or request and pass the moment down as ``as_of``. Calendar dates are those of China Standard
Time (UTC+8, no daylight saving), whatever the server's own time zone: a decision made on
1 March in Beijing is dated 1 March even at 07:00 when UTC still says 28 February.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The calendar date in China at ``moment`` (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA_TZ).date()
