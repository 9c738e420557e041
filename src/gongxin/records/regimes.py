"""Publicity regimes as data: how long a penalty stays public, by regime and severity.

One YAML file per regime in ``records/regimes/`` (plus ``selection.yaml``), versioned by its
effective dates; laws change without code changes. A deployment may lay its own files over them
(``GONGXIN_REGIMES_DIR``); stored decisions follow after ``gongxin visibility recompute``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from gongxin.errors import InvalidInput

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


Loaded = tuple[dict[str, Regime], Selection]


@lru_cache(maxsize=1)
def packaged() -> Loaded:
    """The packaged regimes by key, and the rule that picks one for a record."""
    folder = resources.files("gongxin.records").joinpath("regimes")
    files = [
        (f"records/regimes/{e.name}", e.read_text(encoding="utf-8"))
        for e in sorted(folder.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".yaml")
    ]
    return _assemble(files, {}, None)


def read_folder(folder: Path) -> Loaded:
    """The packaged regimes with a deployment's folder of regime files over them (a file whose
    regime has the key of a packaged one replaces it; ``selection.yaml`` replaces the
    selection). A malformed file is refused naming the file, the key and the rule."""
    if not folder.is_dir():
        raise InvalidInput(
            f"公示期规则目录不存在：{folder}", f"no such regimes folder: {folder}", file=str(folder)
        )
    base, selection = packaged()
    files = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]
    return _assemble(files, dict(base), selection)


def _assemble(
    files: list[tuple[str, str]], regimes: dict[str, Regime], selection: Selection | None
) -> Loaded:
    for name, text in files:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _bad(name, "(YAML)", f"不是有效的 YAML：{exc}", f"invalid YAML: {exc}") from None
        try:
            if name.endswith("selection.yaml"):
                selection = Selection.model_validate(data)
            else:
                regime = Regime.model_validate(data)
                regimes[regime.key] = regime
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"]) or "(file)"
            raise _bad(name, key, error["msg"], error["msg"]) from None
    if selection is None:
        raise _bad("records/regimes/selection.yaml", "(file)", "文件缺失", "the file is missing")
    unknown = sorted({selection.market_regulation, *selection.prefer} - regimes.keys())
    if unknown:
        raise _bad(
            "selection.yaml", "prefer", f"引用了不存在的规则：{unknown}", f"unknown: {unknown}"
        )
    return regimes, selection


def _bad(file: str, key: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(
        f"公示期规则文件有误：{file}，键 {key}：{zh}",
        f"invalid regime file {file}, key {key}: {en}",
        file=file,
        key=key,
        rule=en,
    )


_configured: Loaded | None = None


def configure(folder: Path | None) -> Loaded:
    """Use this deployment's regimes folder (None: the packaged regimes) from now on, in this
    process; validated whole before anything changes."""
    global _configured
    loaded = read_folder(folder) if folder is not None else None
    _configured = loaded
    return load()


_trying: ContextVar[Loaded | None] = ContextVar("gongxin_regimes_trying", default=None)


@contextmanager
def trying(candidate: Loaded) -> Iterator[Loaded]:
    """Judge with ``candidate`` instead of the regimes in force, in this context only (a
    simulation replays the gate under a rule change; other threads and requests keep the
    regimes in force)."""
    token = _trying.set(candidate)
    try:
        yield candidate
    finally:
        _trying.reset(token)


def load() -> Loaded:
    """The regimes in force in this process: the configured folder's, else the packaged (or,
    inside :func:`trying`, the candidate being simulated)."""
    tried = _trying.get()
    if tried is not None:
        return tried
    return _configured if _configured is not None else packaged()
