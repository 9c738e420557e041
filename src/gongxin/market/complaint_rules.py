"""The rules of credit complaints as data: deadlines in working days, categories, refusal
reasons, ratings and the 公示预警 thresholds (market/data/complaints.yaml, or the deployment's
file named by GONGXIN_COMPLAINT_RULES), read and checked whole once per path."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gongxin import clock
from gongxin.errors import InvalidInput


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class WarningRule(BaseModel):
    """A company is put under 公示预警 for a period when all the rule's conditions hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=40)
    zh: str
    en: str
    min_count: int = Field(ge=1)
    min_growth_pct: float | None = Field(default=None, ge=0)
    max_answered_pct: float | None = Field(default=None, ge=0, le=100)

    def met(self, count: int, previous: int, answered_pct: float | None) -> bool:
        """Whether ``count`` complaints this period (``previous`` the period before, and the
        share answered in time, None when none was due) meet the rule.

        >>> rule = WarningRule(key="surge", zh="激增", en="surge", min_count=3, min_growth_pct=100)
        >>> rule.met(4, 2, None), rule.met(4, 3, None), rule.met(2, 0, None), rule.met(3, 0, None)
        (True, False, False, True)
        """
        if count < self.min_count:
            return False
        growth = (count - previous) * 100 / previous if previous > 0 else None
        if self.min_growth_pct is not None and growth is not None and growth < self.min_growth_pct:
            return False
        if self.max_answered_pct is not None:
            return answered_pct is not None and answered_pct < self.max_answered_pct
        return True


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    triage_days: int = Field(ge=1, le=60)
    reply_days: int = Field(ge=1, le=60)
    reply_link_grace_days: int = Field(ge=0, le=365)
    publicity_months: int = Field(ge=1, le=120)
    ratings: dict[str, Label]
    categories: dict[str, Label]
    refusal_reasons: dict[str, Label]
    warnings: list[WarningRule]

    @model_validator(mode="after")
    def _non_empty(self) -> Rules:
        for name in ("ratings", "categories", "refusal_reasons"):
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        keys = [w.key for w in self.warnings]
        if len(set(keys)) != len(keys):
            raise ValueError("warning keys must be unique")
        return self

    def triage_due(self, received: date) -> date:
        """The last working day to accept or refuse a complaint received on ``received``.

        >>> load().triage_due(date(2026, 9, 28))  # 29, 30 Sep, 8, 9, 10 (a Saturday 调休), 12, 13
        datetime.date(2026, 10, 13)
        """
        return clock.add_working_days(received, self.triage_days)

    def reply_due(self, forwarded: date) -> date:
        """The last working day for the company to reply to a complaint forwarded then."""
        return clock.add_working_days(forwarded, self.reply_days)

    def label(self, kind: str, key: str) -> Label:
        found: dict[str, Label] = getattr(self, kind)
        if key not in found:
            raise InvalidInput(
                f"未知的{_KIND_ZH[kind]}“{key[:40]}”；可选：{'、'.join(found)}",
                f"unknown {kind[:-1].replace('_', ' ')} {key[:40]!r}; known: {', '.join(found)}",
                field=_KIND_FIELD[kind],
                value=key[:40],
            )
        return found[key]


_KIND_ZH = {"categories": "投诉类别", "refusal_reasons": "不予受理理由", "ratings": "评价"}
_KIND_FIELD = {"categories": "category", "refusal_reasons": "reason", "ratings": "rating"}


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> Rules:
    """The rules of ``path`` (the packaged file when None); a malformed file is refused with
    the first problem named."""
    if path is None:
        text = resources.files("gongxin.market").joinpath("data/complaints.yaml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        return Rules.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(
            f"投诉规则文件 {path or '（内置）'} 不符合格式：{where}：{first['msg']}",
            f"complaint rules {path or '(packaged)'} are malformed: {where}: {first['msg']}",
        ) from None
