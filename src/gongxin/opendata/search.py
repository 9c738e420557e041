"""package_search over the open datasets: free text (``q``), filter queries (``fq``), sorting,
paging and facets, with CKAN's meaning of each.

The open datasets are a few dozen at most, so the search runs over the package list in memory.
A malformed query raises :class:`BadQuery` naming the parameter; the CKAN layer turns it into a
Validation Error.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongxin.opendata.packages import FORMATS, Package

FACETS = ("organization", "tags", "res_format", "license_id")
_TERM = re.compile(r'\s*(?:(AND|OR)\s+)?([+-]?)([A-Za-z_.]+):(?:"([^"]*)"|(\S+))\s*')
_WORD = re.compile(r'\s*(?:"([^"]+)"|(\S+))\s*')
SORTABLE = ("score", "name", "title", "metadata_created", "metadata_modified")
DEFAULT_SORT = "score desc, metadata_modified desc"


class BadQuery(ValueError):
    def __init__(self, parameter: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.parameter = parameter
        self.zh = zh
        self.en = en


def _values(pkg: Package, field: str, license_id: str) -> tuple[str, ...]:
    """The values of a filterable field of a package."""
    getters: dict[str, Callable[[], tuple[str, ...]]] = {
        "organization": lambda: (pkg.organization.name,),
        "owner_org": lambda: (pkg.organization.id,),
        "tags": lambda: pkg.tags,
        "res_format": lambda: tuple(FORMATS),
        "name": lambda: (pkg.name,),
        "id": lambda: (pkg.id,),
        "license_id": lambda: (license_id,),
        "title": lambda: (pkg.spec.name,),
    }
    return getters[field]()


FILTERABLE = (
    "organization",
    "owner_org",
    "tags",
    "res_format",
    "name",
    "id",
    "license_id",
    "title",
)


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    negate: bool = False

    def keeps(self, pkg: Package, license_id: str) -> bool:
        hit = self.value.casefold() in {v.casefold() for v in _values(pkg, self.field, license_id)}
        return hit != self.negate


def parse_fq(fq: str, parameter: str = "fq") -> list[Filter]:
    """``organization:dept-1 tags:"行政管理" -res_format:JSON`` → filters (all must hold)."""
    filters: list[Filter] = []
    pos = 0
    while pos < len(fq):
        match = _TERM.match(fq, pos)
        if match is None or match.end() == pos:
            if not fq[pos:].strip():
                break
            raise BadQuery(
                parameter,
                f"无法解析的筛选条件：{fq[pos:][:40]}；格式为 字段:值",
                f"cannot parse filter {fq[pos:][:40]!r}; use field:value",
            )
        joiner, sign, name, quoted, bare = match.groups()
        if joiner == "OR":
            raise BadQuery(parameter, "筛选条件不支持 OR", "OR is not supported in filters")
        if name not in FILTERABLE:
            raise BadQuery(
                parameter,
                f"不能按“{name}”筛选；可用字段：{'、'.join(FILTERABLE)}",
                f"cannot filter on {name!r}; filterable fields: {', '.join(FILTERABLE)}",
            )
        filters.append(Filter(name, quoted if quoted is not None else bare, sign == "-"))
        pos = match.end()
    return filters


def parse_q(q: str) -> tuple[list[str], list[Filter]]:
    """Free-text words (all must occur) and any ``field:value`` terms written into ``q``."""
    q = q.strip()
    if q in ("", "*:*", "*"):
        return [], []
    words: list[str] = []
    filters: list[Filter] = []
    pos = 0
    while pos < len(q):
        term = _TERM.match(q, pos)
        if term is not None and term.group(3) in FILTERABLE:
            filters.extend(parse_fq(term.group(0), "q"))
            pos = term.end()
            continue
        word = _WORD.match(q, pos)
        if word is None or word.end() == pos:
            break
        text = word.group(1) or word.group(2)
        if text not in ("AND", "+"):
            words.append(text.casefold())
        pos = word.end()
    return words, filters


def parse_sort(sort: str | None) -> list[tuple[str, bool]]:
    """``"metadata_modified desc, name asc"`` → [(field, descending)]."""
    keys: list[tuple[str, bool]] = []
    for part in (sort or DEFAULT_SORT).split(","):
        bits = part.split()
        if not bits:
            continue
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if bits[0] not in SORTABLE or direction not in ("asc", "desc") or len(bits) > 2:
            raise BadQuery(
                "sort",
                f"无法按“{part.strip()}”排序；可用：{'、'.join(SORTABLE)}，加 asc 或 desc",
                f"cannot sort by {part.strip()!r}; use one of {', '.join(SORTABLE)} asc|desc",
            )
        keys.append((bits[0], direction == "desc"))
    return keys


def _score(pkg: Package, words: list[str]) -> int:
    title = pkg.spec.name.casefold()
    return sum(3 if w in title else 1 for w in words)


def search(
    pkgs: list[Package],
    *,
    q: str,
    fq: str,
    sort: str | None,
    license_id: str,
) -> list[Package]:
    """The packages that match, in the requested order."""
    words, filters = parse_q(q)
    filters += parse_fq(fq)
    order = parse_sort(sort)
    hits = [
        p
        for p in pkgs
        if all(w in p.text() for w in words) and all(f.keeps(p, license_id) for f in filters)
    ]
    for field, descending in reversed(order):  # stable sorts, last key first
        key: Callable[[Package], Any] = {
            "score": lambda p: _score(p, words),
            "name": lambda p: p.name,
            "title": lambda p: p.spec.name,
            "metadata_created": lambda p: p.created,
            "metadata_modified": lambda p: p.modified,
        }[field]
        hits.sort(key=key, reverse=descending)
    return hits


def facets(
    pkgs: list[Package], fields: list[str], license_id: str, limit: int, mincount: int
) -> tuple[dict[str, dict[str, int]], dict[str, Any]]:
    """CKAN's ``facets`` and ``search_facets`` of ``fields`` over the matching packages."""
    plain: dict[str, dict[str, int]] = {}
    rich: dict[str, Any] = {}
    for field in fields:
        if field not in FACETS:
            raise BadQuery(
                "facet.field",
                f"不能按“{field}”分面；可用：{'、'.join(FACETS)}",
                f"no facet {field!r}; facets: {', '.join(FACETS)}",
            )
        counts: Counter[str] = Counter()
        titles: dict[str, str] = {}
        for pkg in pkgs:
            for value in _values(pkg, field, license_id):
                counts[value] += 1
            if field == "organization":
                titles[pkg.organization.name] = pkg.organization.title
        top = [(v, n) for v, n in counts.most_common() if n >= mincount]
        top = top[:limit] if limit >= 0 else top
        plain[field] = dict(top)
        rich[field] = {
            "title": field,
            "items": [{"name": v, "display_name": titles.get(v, v), "count": n} for v, n in top],
        }
    return plain, rich
