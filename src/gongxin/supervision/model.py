"""The Splink linkage model as data: comparisons, levels, probabilities, thresholds.

The packaged ``linkage_model.yaml`` may be replaced per deployment (``GONGXIN_LINKAGE_MODEL``).
A file with an unknown key, a probability outside (0, 1], a column the linkage inputs do not
have or thresholds in the wrong order is refused at load, naming the file, the key and the rule.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gongxin.errors import GongxinError

# The columns of both linkage inputs (records waiting, and subjects), normalised alike.
COLUMNS = ("name_norm", "reg_no", "org_code", "address", "legal_rep")
# Array columns the linkage adds for blocking (``scoring.name_keys``).
ARRAYS = ("name_keys",)


class InvalidModel(GongxinError):
    status = 500
    code = "invalid_linkage_model"


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    when: str  # DuckDB SQL over <column>_l and <column>_r, or ELSE
    m: float = Field(gt=0, le=1)
    u: float = Field(gt=0, le=1)


class Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str
    title: str
    levels: list[Level] = Field(min_length=2)

    @model_validator(mode="after")
    def _known(self) -> Comparison:
        if self.column not in COLUMNS:
            raise ValueError(f"unknown column {self.column!r}; known: {', '.join(COLUMNS)}")
        if self.levels[-1].when != "ELSE":
            raise ValueError(f"{self.column}: the last level must be ELSE")
        return self


class Block(BaseModel):
    """A blocking rule over array columns: pairs share at least one element (``explode``)."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    explode: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> Block:
        unknown = set(self.explode) - set(ARRAYS)
        if unknown:
            raise ValueError(f"unknown array column {sorted(unknown)}; known: {', '.join(ARRAYS)}")
        return self


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    link: float = Field(gt=0, le=1)
    review: float = Field(gt=0, le=1)
    margin: float = Field(default=3.0, ge=0)  # bits between the best and the next candidate

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review >= self.link:
            raise ValueError("thresholds: review must be below link")
        return self


class LinkageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    prior: float = Field(gt=0, lt=1)
    thresholds: Thresholds
    blocking: list[str | Block] = Field(min_length=1)
    comparisons: list[Comparison] = Field(min_length=1)

    def splink_settings(self, dialect: str = "duckdb") -> dict[str, Any]:
        """The model in Splink's settings form (link_only: records on the left, subjects right),
        its SQL in ``dialect`` (``duckdb`` as written, or ``spark``)."""
        sql = _in_spark if dialect == "spark" else str
        comparisons = []
        for c in self.comparisons:
            col = c.column
            levels: list[dict[str, Any]] = [
                {
                    "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
                    "label_for_charts": "缺失",
                    "is_null_level": True,
                }
            ]
            levels += [
                {
                    "sql_condition": lv.when if lv.when == "ELSE" else sql(lv.when),
                    "label_for_charts": lv.title,
                    "m_probability": lv.m,
                    "u_probability": lv.u,
                }
                for lv in c.levels
            ]
            comparisons.append({"output_column_name": col, "comparison_levels": levels})
        return {
            "link_type": "link_only",
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": self.prior,
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": True,
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": sql(b)}
                if isinstance(b, str)
                else {"blocking_rule": sql(b.rule), "arrays_to_explode": b.explode}
                for b in self.blocking
            ],
            "comparisons": comparisons,
        }

    def is_clear(self, weights: list[float]) -> bool:
        """The best candidate (weights sorted, best first) stands ``margin`` bits above the next."""
        return len(weights) < 2 or weights[0] - weights[1] >= self.thresholds.margin

    def level_title(self, column: str, gamma: int) -> str:
        """The title of the level a pair reached (gamma -1: missing; levels count down to 0)."""
        comparison = next(c for c in self.comparisons if c.column == column)
        if gamma < 0:
            return "缺失"
        return comparison.levels[len(comparison.levels) - 1 - gamma].title


def _in_spark(condition: str) -> str:
    """A DuckDB condition in Spark SQL; Jaro–Winkler is the function of Splink's jar."""
    import sqlglot
    from sqlglot import exp

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
        return node

    tree = sqlglot.parse_one(condition, read="duckdb").transform(rename)
    return tree.sql(dialect="spark")


def load_model(path: Path | None = None) -> LinkageModel:
    """The model in ``path``, or the packaged one."""
    if path is None:
        text = (resources.files("gongxin.supervision") / "linkage_model.yaml").read_text("utf-8")
        name = "linkage_model.yaml"
    else:
        text, name = path.read_text("utf-8"), str(path)
    try:
        return LinkageModel.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise InvalidModel(
            f"匹配模型文件 {name} 的 {where} 不合规：{error['msg']}",
            f"linkage model {name}: {where}: {error['msg']}",
            file=name,
            key=where,
        ) from None
