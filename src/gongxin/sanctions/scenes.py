"""The business scenes (应用场景) a credit check is made in: data in ``data/scenes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from gongxin.errors import InvalidInput


@dataclass(frozen=True)
class Scene:
    code: str
    name: str
    name_en: str


@cache
def scenes() -> tuple[Scene, ...]:
    text = resources.files("gongxin.sanctions").joinpath("data/scenes.yaml").read_text("utf-8")
    return tuple(Scene(**s) for s in yaml.safe_load(text)["scenes"])


def lookup(value: str) -> Scene | None:
    """The scene named by its code, Chinese name or English name (case-insensitive), or None."""
    text = value.strip()
    for s in scenes():
        if text in (s.code, s.name) or text.lower() == s.name_en.lower():
            return s
    return None


def by_code(code: str) -> Scene:
    for s in scenes():
        if s.code == code:
            return s
    raise KeyError(code)


def resolve(value: str) -> Scene:
    """The scene ``value`` names; an unknown one is a 400 listing every valid scene."""
    found = lookup(value)
    if found is None:
        all_ = scenes()
        raise InvalidInput(
            f"未知的应用场景：{value[:50]}；可用的场景：{'、'.join(s.name for s in all_)}",
            f"unknown scene {value[:50]!r}; valid scenes: "
            + ", ".join(f"{s.code} ({s.name_en})" for s in all_),
            field="scene",
            value=value[:50],
            scenes=[{"code": s.code, "name": s.name, "name_en": s.name_en} for s in all_],
        )
    return found
