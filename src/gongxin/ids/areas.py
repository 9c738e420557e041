"""GB/T 2260 province-level division codes, read from ``ids/data/provinces.yaml``.

Province-level codes (the first two digits of a six-digit address code) have been stable since
1997 (重庆 50); county-level codes are retired and reissued over the years, so only the province
is checked: an address code whose first two digits are no province cannot be genuine.

>>> province_of("110105")
'北京市'
>>> is_resident_area("990101")
False
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("gongxin.ids").joinpath("data/provinces.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {name: {str(k): str(v) for k, v in data.get(name, {}).items()} for name in data}


def provinces() -> dict[str, str]:
    """Two-digit province code → name."""
    return _table()["provinces"]


def province_of(code: str) -> str | None:
    """The province an address code (or any code starting with one) belongs to."""
    return provinces().get(code[:2])


def resident_id_prefixes() -> list[str]:
    """The first two digits a resident ID number may start with: the provinces, and 83 (the
    address code of Taiwan residents' residence permits)."""
    return sorted({*provinces(), *_table()["resident_id_extra"]})


def is_resident_area(code: str) -> bool:
    """Whether a resident ID number's address code starts with a known province (or 83)."""
    return code[:2] in provinces() or code[:2] in _table()["resident_id_extra"]


def is_uscc_area(code: str) -> bool:
    """Whether a USCC's division code (positions 3–8) starts with a province or 10 (central)."""
    return code[:2] in provinces() or code[:2] in _table()["uscc_extra"]
