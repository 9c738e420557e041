"""The theme taxonomy of the open datasets (data/themes.yaml): one theme per category of the
公共信用信息基础目录. A theme is a CKAN group and a skos:Concept of the DCAT-AP catalog's theme
scheme, mapped to a theme of the EU data-theme vocabulary."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_NS = uuid.UUID("0b7f3c1e-2d4a-5b6c-8e9f-1a2b3c4d5e6f")


@dataclass(frozen=True)
class Theme:
    name: str  # the CKAN group name, URL-safe
    title: str  # the category, in Chinese
    title_en: str
    eu: str  # the EU data-theme code, e.g. GOVE

    @property
    def id(self) -> str:
        return str(uuid.uuid5(_NS, f"group/{self.name}"))

    def as_dict(self, package_count: int | None = None) -> dict[str, Any]:
        """The theme as CKAN's group dictionary."""
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "title": self.title, "display_name": self.title,
            "description": f"公共信用信息基础目录类别“{self.title}” ({self.title_en})",
            "type": "group", "is_organization": False, "state": "active",
            "approval_status": "approved", "image_url": "", "image_display_url": "",
            "created": None,
        }  # fmt: skip
        if package_count is not None:
            out["package_count"] = package_count
        return out


@dataclass(frozen=True)
class Taxonomy:
    title: str
    title_en: str
    default_eu: str
    themes: dict[str, Theme]  # by category

    def of(self, category: str) -> Theme:
        """The theme of a catalog category; an unlisted category is a theme of its own."""
        found = self.themes.get(category)
        if found is not None:
            return found
        slug = uuid.uuid5(_NS, f"category/{category}").hex[:8]
        return Theme(f"theme-{slug}", category, category, self.default_eu)


@cache
def taxonomy() -> Taxonomy:
    text = resources.files("gongxin.opendata").joinpath("data/themes.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    themes = {
        t["category"]: Theme(t["name"], t["category"], t["title_en"], t["eu"])
        for t in data["themes"]
    }
    scheme = data["scheme"]
    return Taxonomy(scheme["title"], scheme["title_en"], data["default_eu"], themes)
