"""The monitoring rules (``monitoring/data/monitoring.yaml``, or the deployment's file named by
``GONGXIN_MONITORING_RULES``): which statuses are exits, the survival horizons, the proxy for a
newly founded small company, the scorecard's weights, the GB/T 4754 sections and each panel's
audience. A malformed file is refused with the field and the rule it breaks."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gongxin.errors import InvalidInput

Audience = Literal["public", "centre"]
PANELS = ("flow", "survival_industry", "survival_region", "cohorts", "scorecards")
COMPONENTS = ("timeliness", "completeness", "acceptance", "compliance", "deadlines")
EXIT_KINDS = ("deregistered", "revoked", "cancelled")


class SmallCompanies(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code_prefixes: list[str] = Field(min_length=1)
    max_capital: float = Field(gt=0, description="万元人民币")
    cohort_years: int = Field(ge=1, le=30)


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sgs_datasets: list[str] = Field(min_length=1)
    weights: dict[str, int]

    @model_validator(mode="after")
    def _weights(self) -> Scorecard:
        if set(self.weights) != set(COMPONENTS):
            raise ValueError(f"scorecard.weights must name exactly {', '.join(COMPONENTS)}")
        if sum(self.weights.values()) != 100 or min(self.weights.values()) < 0:
            raise ValueError("scorecard.weights must be non-negative and sum to 100")
        return self


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    exits: dict[str, Literal["deregistered", "revoked", "cancelled"]] = Field(min_length=1)
    horizons: list[int] = Field(min_length=1)
    flow_months: int = Field(ge=1, le=600)
    region_digits: Literal[2, 4, 6]
    min_group: int = Field(ge=1)
    small_companies: SmallCompanies
    penalty_datasets: list[str]
    list_datasets: list[str]
    scorecard: Scorecard
    sections: dict[str, str]
    panels: dict[str, Audience]

    @model_validator(mode="after")
    def _check(self) -> Rules:
        if any(not 1 <= k <= 50 for k in self.horizons):
            raise ValueError("horizons must be years from 1 to 50")
        if set(self.panels) != set(PANELS):
            raise ValueError(f"panels must give the audience of exactly {', '.join(PANELS)}")
        return self

    def panels_for(self, audience: Audience) -> list[str]:
        """The panels ``audience`` may see, in the dashboard's order: the centre sees all."""
        return [p for p in PANELS if audience == "centre" or self.panels[p] == "public"]


def _message(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(文件)"
    return where, str(first["msg"])


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> Rules:
    """The rules in ``path`` (default: the packaged file)."""
    where = str(path) if path is not None else "monitoring/data/monitoring.yaml"
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path is not None
            else resources.files("gongxin.monitoring")
            .joinpath("data/monitoring.yaml")
            .read_text("utf-8")
        )
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(
            f"监测规则文件 {where} 无法读取：{exc}", f"monitoring rules {where} unreadable: {exc}"
        ) from None
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        field, msg = _message(exc)
        raise InvalidInput(
            f"监测规则文件 {where} 的 {field} 不符合规则：{msg}",
            f"monitoring rules {where}: field {field} breaks a rule: {msg}",
        ) from None
