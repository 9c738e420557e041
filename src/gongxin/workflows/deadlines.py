"""Deadlines of objections and credit repair per jurisdiction: data (workflows/data/
deadlines.yaml, or the deployment's file), read and checked whole once per path."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gongxin import clock
from gongxin.errors import InvalidInput


class Pause(BaseModel):
    """A kind of 计时中止: while it lasts the deadline's clock stands still."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    en: str
    basis: str


class Jurisdiction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    objection_days: int = Field(ge=0)
    objection_extension: int = Field(ge=0)
    repair_days: int = Field(ge=0)
    repair_extension: int = Field(default=0, ge=0)
    remind_days: int = Field(ge=0)
    list_minimum_months: dict[str, int] = {}
    training_severities: list[str] = []
    pauses: dict[str, Pause] = {}

    def days(self, kind: str) -> int:
        return self.objection_days if kind == "objection" else self.repair_days

    def extension(self, kind: str) -> int:
        """Working days the department may add once, with reasons (0: none)."""
        return self.objection_extension if kind == "objection" else self.repair_extension

    def due(self, kind: str, received: date, *, extended: int = 0, paused: int = 0) -> date:
        """The last working day to decide an application received on ``received``, its
        deadline moved by an extension taken and by the working days the clock stood still.

        >>> national = jurisdiction("national")[1]
        >>> national.due("repair", date(2026, 9, 30))  # 1–7 Oct holiday, Sat 10 Oct worked
        datetime.date(2026, 10, 10)
        >>> national.due("objection", date(2026, 9, 30), extended=15)  # 5 + 15 working days
        datetime.date(2026, 11, 3)
        """
        return clock.add_working_days(received, self.days(kind) + extended + paused)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str
    jurisdictions: dict[str, Jurisdiction]


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> Rules:
    text = (
        path.read_text(encoding="utf-8")
        if path is not None
        else resources.files("gongxin.workflows").joinpath("data/deadlines.yaml").read_text("utf-8")
    )
    try:
        rules = Rules.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise InvalidInput(
            f"期限规则文件 {path} 不符合格式：{exc.errors()[0]['msg']}",
            f"deadline rules {path} are malformed: {exc.errors()[0]['msg']}",
        ) from None
    if rules.default not in rules.jurisdictions:
        raise InvalidInput(f"默认辖区 {rules.default} 未定义", f"default {rules.default} undefined")
    return rules


def jurisdiction(name: str | None = None, path: Path | None = None) -> tuple[str, Jurisdiction]:
    rules = load(path)
    key = name or rules.default
    if key not in rules.jurisdictions:
        known = "、".join(rules.jurisdictions)
        raise InvalidInput(
            f"辖区“{key}”没有期限规则；现有：{known}",
            f"no deadline rules for jurisdiction {key!r}; known: {', '.join(rules.jurisdictions)}",
        )
    return key, rules.jurisdictions[key]


def remaining(due: date, as_of: date) -> int:
    """Working days left to ``due`` (0 on the day itself; negative when overdue)."""
    if as_of <= due:
        return clock.working_days_between(as_of, due)
    return -clock.working_days_between(due, as_of)
