"""package_search over the open datasets: free text (``q``), filter queries (``fq``), sorting,
paging and facets, with CKAN's meaning of each.

The open datasets are a few dozen at most, so the search runs over the package list in memory.
A malformed query raises :class:`BadQuery` naming the parameter; the CKAN layer turns it into a
Validation Error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gongxin.opendata import query
from gongxin.opendata.packages import Package
from gongxin.opendata.query import BadQuery

__all__ = ["DEFAULT_SORT", "FACETS", "BadQuery", "facets", "parse_sort", "search"]

FACETS = ("organization", "groups", "tags", "res_format", "license_id")
SORTABLE = ("score", "id", "name", "title", "metadata_created", "metadata_modified")
DEFAULT_SORT = "score desc, metadata_modified desc"


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
    now: datetime,
) -> list[Package]:
    """The packages that match, in the requested order; ``now`` is NOW in date math."""
    matches, words = query.parse(q, "q", license_id, now)
    filters, _ = query.parse(fq, "fq", license_id, now)
    order = parse_sort(sort)
    hits = [p for p in pkgs if matches(p) and filters(p)]
    for field, descending in reversed(order):  # stable sorts, last key first
        key: Callable[[Package], Any] = {
            "score": lambda p: _score(p, words),
            "id": lambda p: p.id,
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
            for value in query.values(pkg, field, license_id):
                counts[value] += 1
            if field == "organization":
                titles[pkg.organization.name] = pkg.organization.title
            elif field == "groups":
                titles[pkg.theme.name] = pkg.theme.title
        top = [(v, n) for v, n in counts.most_common() if n >= mincount]
        top = top[:limit] if limit >= 0 else top
        plain[field] = dict(top)
        rich[field] = {
            "title": field,
            "items": [{"name": v, "display_name": titles.get(v, v), "count": n} for v, n in top],
        }
    return plain, rich
