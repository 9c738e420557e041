"""Evaluation models as data: a versioned YAML file per model, validated at load.

A model gives a base score, indicators (the dataset each reads, a filter on its fields, the
points per record, the time window and its decay steps, a cap, the direction, the subject
categories it applies to and which records count: in force or public on the day), the grade
table and its legal basis. Packaged models live in ``gongxin/analytics/models``; a deployment's
folder (``GONGXIN_MODELS_DIR``) adds models or replaces packaged ones of the same code.

A file naming an unknown dataset or field, or with grade bands that overlap or leave a gap, is
refused at load with the file, the key and the rule.
"""

from __future__ import annotations

import itertools
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gongxin.catalog.registry import Catalog
from gongxin.errors import GongxinError, NotFound

# The subject category of a subject, from its 统一社会信用代码 (GB 32100-2015: the first
# character is the registering authority, the second the kind). Subjects without a code are 其他.
CATEGORIES = ("企业", "个体工商户", "社会组织", "机关事业单位", "其他")
CATEGORY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("92", "个体工商户"),
    ("9", "企业"),
    ("5", "社会组织"),
    ("1", "机关事业单位"),
)


class InvalidModel(GongxinError):
    status = 400
    code = "invalid_model"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One test on a record field (``data->>field``): equal to one of ``in``, or none of them."""

    field: str
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.in_ is None) == (self.not_in is None):
            raise ValueError("give exactly one of in / not_in")
        return self


class Step(_Strict):
    """Records at most ``within_days`` old count with ``percent`` of their points."""

    within_days: int = Field(gt=0)
    percent: int = Field(ge=0, le=100)


class Indicator(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str
    dataset: str
    direction: Literal["positive", "negative"]
    points: int = Field(gt=0, le=100_000, description="points per counted record")
    cap: int | None = Field(default=None, gt=0, description="most points the indicator gives")
    where: list[Condition] = Field(default_factory=list)
    window_days: int = Field(default=1095, gt=0, le=36_500)
    decay: list[Step] = Field(default_factory=list)
    counts: Literal["in_force", "public", "shared"] = "in_force"
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    basis: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        unknown = [c for c in self.categories if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown subject categories {unknown}; known: {list(CATEGORIES)}")
        days = [s.within_days for s in self.decay]
        if days != sorted(set(days)) or (days and days[-1] > self.window_days):
            raise ValueError("decay steps must rise strictly and stay within window_days")
        return self

    @property
    def sign(self) -> int:
        return 1 if self.direction == "positive" else -1


class Grade(_Strict):
    grade: str = Field(min_length=1, max_length=8)
    label: str
    min: float | None = Field(default=None, description="lowest score of the band (inclusive)")
    max: float | None = Field(default=None, description="band ends below this score")
    group: str | None = Field(default=None, description="e.g. 诚信守法 for A+ and A")


class Sampling(_Strict):
    """A risk class's 双随机 sampling ratio (percent of its subjects drawn per task)."""

    percent: float = Field(gt=0, le=100)
    per_year: str | None = None


class EvaluationModel(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str
    kind: Literal["grade", "risk"] = "grade"
    version: str
    effective_from: date
    effective_until: date | None = None
    legal_basis: str
    notes: str | None = None
    subjects: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    base_score: int
    min_score: int | None = None
    max_score: int | None = None
    indicators: list[Indicator] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=2)
    sampling: dict[str, Sampling] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bands(self) -> EvaluationModel:
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError(f"indicator codes repeat: {codes}")
        names = [g.grade for g in self.grades]
        if len(set(names)) != len(names):
            raise ValueError(f"grades repeat: {names}")
        bands = sorted(
            self.grades, key=lambda g: float("-inf") if g.min is None else g.min, reverse=True
        )
        if bands[0].max is not None or bands[-1].min is not None:
            raise ValueError("the top grade needs no max and the bottom grade no min")
        for upper, lower in itertools.pairwise(bands):
            if upper.min is None or lower.max is None or upper.min != lower.max:
                raise ValueError(
                    f"grade bands overlap or leave a gap: {lower.grade} ends at {lower.max}, "
                    f"{upper.grade} starts at {upper.min}"
                )
        if self.grades != bands:
            raise ValueError("list grades from the best (highest scores) down")
        unknown = [g for g in self.sampling if g not in names]
        if unknown:
            raise ValueError(f"sampling names unknown grades {unknown}")
        return self

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"

    def in_effect(self, as_of: date) -> bool:
        return self.effective_from <= as_of and (
            self.effective_until is None or as_of <= self.effective_until
        )


def _problem(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    return ".".join(str(p) for p in error["loc"]) or "(model)", str(error["msg"])


def _check_catalog(model: EvaluationModel, catalog: Catalog, origin: str) -> None:
    for n, ind in enumerate(model.indicators):
        if ind.dataset not in catalog:
            raise InvalidModel(
                f"评价模型文件有误：{origin}：indicators.{n}.dataset “{ind.dataset}”不是已登记的"
                "数据集",
                f"invalid model {origin}: indicators.{n}.dataset {ind.dataset!r} is not a "
                f"dataset of the catalog ({', '.join(catalog.codes())})",
                file=origin, key=f"indicators.{n}.dataset", rule="known_dataset",
            )  # fmt: skip
        spec = catalog.get(ind.dataset)
        known = {f.code for _, fields in spec.layouts() for f in fields}
        for m, cond in enumerate(ind.where):
            if cond.field not in known:
                raise InvalidModel(
                    f"评价模型文件有误：{origin}：indicators.{n}.where.{m}.field “{cond.field}”"
                    f"不是数据集 {ind.dataset} 的字段",
                    f"invalid model {origin}: indicators.{n}.where.{m}.field {cond.field!r} is "
                    f"not a field of dataset {ind.dataset}",
                    file=origin, key=f"indicators.{n}.where.{m}.field", rule="known_field",
                )  # fmt: skip


def parse(text: str, origin: str, catalog: Catalog) -> EvaluationModel:
    """One model file's text, validated against itself and the catalog."""
    try:
        data = yaml.safe_load(text)
        model = EvaluationModel.model_validate(data)
    except yaml.YAMLError as exc:
        raise InvalidModel(
            f"评价模型文件不是有效的 YAML：{origin}", f"model file {origin} is not valid YAML",
            file=origin, key="(file)", rule="yaml",
        ) from exc  # fmt: skip
    except ValidationError as exc:
        key, rule = _problem(exc)
        raise InvalidModel(
            f"评价模型文件有误：{origin}：{key}：{rule}",
            f"invalid model {origin}: {key}: {rule}",
            file=origin, key=key, rule=rule,
        ) from exc  # fmt: skip
    _check_catalog(model, catalog, origin)
    return model


def _files(extra_dir: Path | None) -> list[tuple[str, str]]:
    root = resources.files("gongxin.analytics").joinpath("models")
    found = [
        (e.read_text(encoding="utf-8"), f"gongxin/analytics/models/{e.name}")
        for e in sorted(root.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".yaml")
    ]
    if extra_dir is not None:
        found += [(p.read_text(encoding="utf-8"), str(p)) for p in sorted(extra_dir.glob("*.yaml"))]
    return found


def load_models(catalog: Catalog, extra_dir: Path | None = None) -> dict[str, EvaluationModel]:
    """Every model by code: the packaged ones, then the deployment's folder (same code wins)."""
    models: dict[str, EvaluationModel] = {}
    for text, origin in _files(extra_dir):
        model = parse(text, origin, catalog)
        models[model.code] = model
    return models


def get_model(code: str, catalog: Catalog, extra_dir: Path | None = None) -> EvaluationModel:
    models = load_models(catalog, extra_dir)
    if code not in models:
        raise NotFound(
            f"没有名为“{code[:64]}”的评价模型，可选：{'、'.join(models)}",
            f"no evaluation model {code[:64]!r}; choose from {', '.join(models)}",
        )
    return models[code]
