"""The theme taxonomy of the open datasets (data/themes.yaml): one theme per category of the
公共信用信息基础目录. A theme is a CKAN group and a skos:Concept of the DCAT-AP catalog's theme
scheme, mapped to a theme of the EU data-theme vocabulary."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_NS = uuid.UUID("0b7f3c1e-2d4a-5b6c-8e9f-1a2b3c4d5e6f")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{1,99}")  # CKAN's rule for group names

# The EU data themes (their English labels, and Chinese ones)
EU_THEMES = {
    "AGRI": ("Agriculture, fisheries, forestry and food", "农业、渔业、林业和食品"),
    "ECON": ("Economy and finance", "经济和金融"),
    "EDUC": ("Education, culture and sport", "教育、文化和体育"),
    "ENER": ("Energy", "能源"), "ENVI": ("Environment", "环境"),
    "GOVE": ("Government and public sector", "政府和公共部门"), "HEAL": ("Health", "卫生"),
    "INTR": ("International issues", "国际事务"),
    "JUST": ("Justice, legal system and public safety", "司法、法律制度和公共安全"),
    "REGI": ("Regions and cities", "地区和城市"), "SOCI": ("Population and society", "人口和社会"),
    "TECH": ("Science and technology", "科学和技术"), "TRAN": ("Transport", "交通"),
}  # fmt: skip


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
    for theme in themes.values():
        if not _NAME.fullmatch(theme.name):
            raise ValueError(f"themes.yaml: {theme.name!r} is not a CKAN group name")
    for code in (data["default_eu"], *(t.eu for t in themes.values())):
        if code not in EU_THEMES:
            known = ", ".join(EU_THEMES)
            raise ValueError(f"themes.yaml: {code!r} is not an EU data theme ({known})")
    scheme = data["scheme"]
    return Taxonomy(scheme["title"], scheme["title_en"], data["default_eu"], themes)
