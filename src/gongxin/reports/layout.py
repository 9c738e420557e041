"""How the report is laid out, as data: the order and grouping of its sections (that of
信用中国's subject page) and how each dataset reads on the summary page (信用概况).

Packaged in ``reports/data/sections.yaml``; a deployment replaces it with the file named by
``GONGXIN_REPORT_SECTIONS_FILE``. A public dataset the file does not name comes last, under the
file's ``other`` heading, so that no public record is ever left out of a report.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gongxin.errors import InvalidInput

Kind = Literal["records", "listed"]
Tone = Literal["negative", "positive", "neutral"]


class DatasetLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(min_length=1)
    kind: Kind = "records"
    tone: Tone = "neutral"


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    datasets: tuple[DatasetLine, ...]


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    groups: tuple[Group, ...]
    other: str = "其他信息"

    def place(self, codes: list[str]) -> list[tuple[str, DatasetLine]]:
        """``codes`` (the public datasets) in report order, each with its group's title."""
        placed: list[tuple[str, DatasetLine]] = []
        named: set[str] = set()
        for group in self.groups:
            for line in group.datasets:
                named.add(line.code)
                if line.code in codes:
                    placed.append((group.title, line))
        placed += [(self.other, DatasetLine(code=c)) for c in codes if c not in named]
        return placed


def _parse(text: str, where: str) -> Layout:
    try:
        return Layout.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise InvalidInput(
            f"信用报告栏目文件 {where} 有误：{exc}",
            f"the report sections file {where} is invalid: {exc}",
        ) from exc


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> Layout:
    """The deployment's layout (``path``) or the packaged one."""
    if path is not None:
        return _parse(path.read_text(encoding="utf-8"), str(path))
    packaged = resources.files("gongxin.reports").joinpath("data/sections.yaml")
    return _parse(packaged.read_text("utf-8"), "reports/data/sections.yaml")
