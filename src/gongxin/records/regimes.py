"""Publicity regimes as data: how long a penalty stays public, by regime and severity.

One YAML file per regime in ``records/regimes/`` (plus ``selection.yaml``), versioned by its
effective dates; laws change without code changes. A deployment overrides them with YAML files
in the folder named by the ``GONGXIN_REGIMES_DIR`` setting: a regime with the key of a packaged
one replaces it, a new key adds a regime, and a ``selection.yaml`` there replaces the packaged
selection. ``configure(folder)`` (called by ``create_app`` and the CLI) makes that folder the
one ``load()`` and ``publicity.windows()`` use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from gongxin.errors import GongxinError

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


class InvalidRegime(GongxinError):
    status = 500
    code = "invalid_regime"


_override: Path | None = None


def configure(folder: Path | None) -> None:
    """Use the regimes of ``folder`` over the packaged ones from now on (None: packaged only)."""
    global _override
    if folder is not None and not folder.is_dir():
        raise InvalidRegime(
            f"公示期限规则目录不存在：{folder}", f"regimes folder not found: {folder}"
        )
    _override = folder


def load(folder: Path | None = None) -> tuple[dict[str, Regime], Selection]:
    """The regimes by key, and the rule that picks one for a record: the packaged ones, with
    those of ``folder`` (default: the configured one) over them."""
    chosen = folder if folder is not None else _override
    return _load(str(chosen) if chosen is not None else None)


def _files(folder: Traversable) -> list[Traversable]:
    return sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)


def _read(entry: Traversable, model: type[Regime] | type[Selection]) -> Regime | Selection:
    try:
        return model.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise InvalidRegime(
            f"公示期限规则文件有误：{entry.name}：{exc}", f"invalid regime file {entry.name}: {exc}"
        ) from None


@lru_cache(maxsize=8)
def _load(folder: str | None) -> tuple[dict[str, Regime], Selection]:
    sources: list[Traversable] = [resources.files("gongxin.records").joinpath("regimes")]
    if folder is not None:
        sources.append(Path(folder))
    regimes: dict[str, Regime] = {}
    selection: Selection | None = None
    for source in sources:  # the packaged files, then the deployment's over them
        for entry in _files(source):
            if entry.name == "selection.yaml":
                found = _read(entry, Selection)
                assert isinstance(found, Selection)
                selection = found
            else:
                regime = _read(entry, Regime)
                assert isinstance(regime, Regime)
                regimes[regime.key] = regime
    if selection is None:
        raise InvalidRegime("缺少 selection.yaml", "records/regimes/selection.yaml is missing")
    unknown = {selection.market_regulation, *selection.prefer} - regimes.keys()
    if unknown:
        raise InvalidRegime(
            f"selection.yaml 引用了未知的规则：{'、'.join(sorted(unknown))}",
            f"selection.yaml names unknown regimes: {sorted(unknown)}",
        )
    return regimes, selection
