"""Publicity regimes as data: how long a penalty stays public, by regime and severity.

One YAML file per regime in ``records/regimes/`` (plus ``selection.yaml``), versioned by its
effective dates; laws change without code changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

ANY_SEVERITY = "*"


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_months: int | None = None  # publicity may end early (repair) only after this
    max_months: int | None = None  # publicity ends automatically after this
    may_be_unpublished: bool = False  # 轻微: the department may choose not to publish


class SectorMinimum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sectors: list[str]
    min_months: int


class ShortWindow(BaseModel):
    """SAMR Order 45: 通报批评 or a low fine is public for a short time only."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str]
    low_fine_max_wan: Decimal | None = None  # the provincial 较低数额罚款 threshold, in 万元
    max_months: int


class Regime(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    basis: str
    effective_from: date
    effective_to: date | None = None
    confidence: Literal["confirmed", "partial", "unverified"]
    windows: dict[str, Window]  # by severity (轻微/一般/严重), or "*" for every severity
    sector_minimums: list[SectorMinimum] = []
    not_published_when_only: list[str] = []  # e.g. a warning alone is not published
    short: ShortWindow | None = None
    restriction_categories: list[str] = []  # a longer restriction lengthens publicity
    never_early_stop: list[str] = []

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def window(self, severity: str, fallback: str) -> tuple[Window, str]:
        """The window for ``severity`` and the severity it was found under: a regime without
        that level (527号 knew no 轻微) uses its all-severity window, else ``fallback``."""
        for key in (severity, ANY_SEVERITY, fallback):
            if key in self.windows:
                return self.windows[key], key
        raise KeyError(f"{self.key}: no window for {severity!r} or {fallback!r}")


class Selection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    market_regulation: str
    market_regulation_authorities: list[str]
    publish_natural_persons: bool
    prefer: list[str]
    default_severity: str


@lru_cache(maxsize=1)
def load() -> tuple[dict[str, Regime], Selection]:
    """The packaged regimes by key, and the rule that picks one for a record."""
    folder = resources.files("gongxin.records").joinpath("regimes")
    regimes: dict[str, Regime] = {}
    selection: Selection | None = None
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if entry.name == "selection.yaml":
            selection = Selection.model_validate(data)
        else:
            regime = Regime.model_validate(data)
            regimes[regime.key] = regime
    if selection is None:
        raise RuntimeError("records/regimes/selection.yaml is missing")
    unknown = {selection.market_regulation, *selection.prefer} - regimes.keys()
    if unknown:
        raise RuntimeError(f"selection.yaml names unknown regimes: {sorted(unknown)}")
    return regimes, selection
