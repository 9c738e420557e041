"""The rules of industry credit evaluation (行业信用评价) as data: the nine grades with their
codes, the 公示 period, validity, annual reviews and the lists that revoke a grade.

Packaged in ``market/data/evaluation.yaml``; a deployment replaces them with its own file
(``GONGXIN_EVALUATION_RULES``, same shape). See docs/industry-evaluation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from gongxin.clock import add_working_days
from gongxin.errors import InvalidInput

DAY_KINDS = {"calendar": "自然日", "working": "工作日"}


@dataclass(frozen=True)
class Grade:
    grade: str  # the base grade: AAA … C
    klass: str  # A级 / B级 / C级
    code: str  # 3 digits of the certificate number
    meaning: str


@dataclass(frozen=True)
class Rules:
    scheme: str
    scheme_en: str
    grades: dict[str, Grade]
    modifiers: tuple[str, ...]
    publicity_days: int
    publicity_day_kind: str
    validity_years: int
    annual_reviews: int
    review_lead_months: int
    serious_lists: tuple[str, ...]
    associations: dict[str, str]

    def grade(self, text: str) -> Grade:
        """The base grade of ``text`` (``A+`` → A, ``AAA★`` → AAA); refused when it is none
        of the scheme's grades."""
        value = (text or "").strip().upper()
        base = value.rstrip("".join(self.modifiers))
        if base not in self.grades or len(value) - len(base) > 1:
            raise InvalidInput(
                f"信用等级“{text[:10]}”无效：须为 {'、'.join(self.grades)} 之一"
                f"（可加 {'、'.join(self.modifiers)} 之一）",
                f"credit grade {text[:10]!r} is not one of {', '.join(self.grades)} "
                f"(optionally followed by one of {', '.join(self.modifiers)})",
                field="grade",
                value=text[:10],
                rule="grade_scale",
            )
        return self.grades[base]

    def rank(self, text: str) -> int:
        """Position of the base grade in the scale: 0 is the best (AAA)."""
        return list(self.grades).index(self.grade(text).grade)


def publicity_until(start: date, days: int, kind: str) -> date:
    """The last day of a 公示 of ``days`` days from ``start`` (both ends counted): calendar
    days, or statutory working days (调休 included) when ``kind`` is ``working``.

    >>> publicity_until(date(2015, 7, 13), 10, "calendar")
    datetime.date(2015, 7, 22)
    >>> publicity_until(date(2026, 9, 30), 2, "working")  # 1–7 Oct: National Day
    datetime.date(2026, 10, 8)
    """
    if days < 1:
        raise InvalidInput(
            f"公示期须至少 1 天，收到 {days}",
            f"publicity must last at least 1 day, not {days}",
            field="publicity_days",
            value=days,
        )
    if kind == "working":
        return add_working_days(start - timedelta(days=1), days)
    return start + timedelta(days=days - 1)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier, negative), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _parse(data: Any, origin: str) -> Rules:
    try:
        grades = {
            str(g): Grade(str(g), str(v["class"]), str(v["code"]), str(v.get("meaning", "")))
            for g, v in data["grades"].items()
        }
        kind = str(data.get("publicity_day_kind", "calendar"))
        if kind not in DAY_KINDS:
            raise ValueError(f"publicity_day_kind {kind!r} is not calendar or working")
        return Rules(
            scheme=str(data["scheme"]),
            scheme_en=str(data.get("scheme_en", "")),
            grades=grades,
            modifiers=tuple(str(m) for m in data.get("modifiers", [])),
            publicity_days=int(data["publicity_days"]),
            publicity_day_kind=kind,
            validity_years=int(data["validity_years"]),
            annual_reviews=int(data["annual_reviews"]),
            review_lead_months=int(data["review_lead_months"]),
            serious_lists=tuple(str(x) for x in data.get("serious_lists", [])),
            associations={str(k): str(v) for k, v in (data.get("associations") or {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(
            f"行业信用评价规则文件有误：{origin}：{exc}",
            f"invalid industry evaluation rules {origin}: {exc}",
        ) from exc


@lru_cache(maxsize=4)
def _load(path: str | None) -> Rules:
    if path is None:
        text = resources.files("gongxin.market").joinpath("data/evaluation.yaml").read_text("utf-8")
        return _parse(yaml.safe_load(text), "gongxin/market/data/evaluation.yaml")
    return _parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")), path)


def rules(path: Path | None = None) -> Rules:
    """The packaged rules, or the deployment's file."""
    return _load(str(path) if path else None)
