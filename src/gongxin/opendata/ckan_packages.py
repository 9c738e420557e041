"""CKAN's dataset, resource and tag actions over the open datasets: package_list,
package_show, package_search, current_package_list_with_resources, package_autocomplete,
resource_show, resource_view_list, resource_search, format_autocomplete, tag_list, tag_show,
vocabulary_list."""

from __future__ import annotations

from typing import Any

from gongxin.opendata import search as searching
from gongxin.opendata.ckan import Context, Params, action, validation_error
from gongxin.opendata.packages import FORMATS, Package, find, stable_id

MAX_ROWS = 1000  # CKAN's ckan.search.rows_max: more rows are capped to it
DEFAULT_ROWS = 10


@action
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    """The names of the open datasets, sorted. Parameters: limit, offset."""
    p = Params(data)
    names = sorted(pkg.name for pkg in ctx.packages)
    offset = p.number("offset", 0)
    return names[offset : offset + p.number("limit", len(names))]


@action
def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One open dataset by id or name (its dataset code). Parameters: id."""
    return ctx.show(find(ctx.packages, Params(data).text("id", required=True)))


@action
def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Search the open datasets. Parameters: q (free text over name, title, description and
    tags, or field:value clauses), fq (filter clauses: organization:, groups:, tags:,
    res_format:, name:, id:, license_id:, metadata_modified:[2020-01-01T00:00:00Z TO *] …,
    joined by spaces or AND, OR, NOT, parentheses), rows (default 10, at most 1000: more are
    capped), start, sort (score, id, name, title, metadata_created, metadata_modified; asc or
    desc), fl (the fields of each result, e.g. id,name), facet, facet.field, facet.limit,
    facet.mincount."""
    p = Params(data)
    rows = p.number("rows", DEFAULT_ROWS, cap=MAX_ROWS)
    start = p.number("start", 0)
    sort = p.text("sort") or None
    licence = ctx.settings.opendata_license_id
    try:
        hits = searching.search(
            ctx.packages, q=p.text("q"), fq=p.text("fq"), sort=sort, license_id=licence,
            now=ctx.now,
        )  # fmt: skip
        wanted = p.names("facet.field") if p.flag("facet", True) else []
        plain, rich = searching.facets(
            hits, wanted, licence, p.number("facet.limit", 50, -1),
            p.number("facet.mincount", 1),
        )  # fmt: skip
    except searching.BadQuery as exc:
        raise validation_error({exc.parameter: f"{exc.zh} ({exc.en})"}) from None
    results = [ctx.show(pkg) for pkg in hits[start : start + rows]]
    fields = _fields(p)
    if fields:
        results = [{k: v for k, v in pkg.items() if k in fields} for pkg in results]
    return {
        "count": len(hits),
        "results": results,
        "sort": sort or searching.DEFAULT_SORT,
        "facets": plain,
        "search_facets": rich,
    }


def _fields(p: Params) -> set[str]:
    """``fl``: the fields of each result, comma- or space-separated or a list; empty for all
    (``*`` too)."""
    value = p.data.get("fl")
    names = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    fields = {str(n).strip() for n in names if str(n).strip()}
    return set() if "*" in fields else fields


@action
def current_package_list_with_resources(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The open datasets with their resources, most recently modified first. Parameters:
    limit, offset (or page)."""
    p = Params(data)
    limit = p.number("limit", len(ctx.packages))
    offset = p.number("offset", 0)
    if "page" in data and "offset" not in data:
        offset = (p.number("page", 1, low=1) - 1) * limit
    pkgs = sorted(ctx.packages, key=lambda pkg: pkg.modified, reverse=True)
    return [ctx.show(pkg) for pkg in pkgs[offset : offset + limit]]


@action
def package_autocomplete(ctx: Context, data: dict[str, Any]) -> list[dict[str, str]]:
    """Open datasets whose name or title contains q. Parameters: q, limit (default 10)."""
    p = Params(data)
    fragment = p.text("q").casefold()
    out = []
    for pkg in sorted(ctx.packages, key=lambda pkg: pkg.name):
        if fragment in pkg.name.casefold():
            field, shown = "name", pkg.name
        elif fragment in pkg.spec.name.casefold():
            field, shown = "title", pkg.spec.name
        else:
            continue
        out.append({"name": pkg.name, "title": pkg.spec.name, "match_field": field,
                    "match_displayed": shown})  # fmt: skip
    return out[: p.number("limit", 10)]


def _resources(ctx: Context) -> list[tuple[Package, dict[str, Any]]]:
    return [(pkg, res) for pkg in ctx.packages for res in pkg.resources(ctx.base)]


@action
def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One download (resource) of an open dataset by its id. Parameters: id."""
    wanted = Params(data).text("id", required=True)
    for _, res in _resources(ctx):
        if res["id"] == wanted:
            return res
    raise ctx.not_found(f"没有编号为“{wanted}”的资源", f"no resource with id {wanted!r}")


@action
def resource_view_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The views of a resource: none (the downloads are files). Parameters: id."""
    resource_show(ctx, data)
    return []


@action
def resource_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Resources whose fields contain the given text. Parameters: query (field:term, or a
    list of them, all of which must match; fields: name, description, format, url, mimetype),
    order_by, offset, limit."""
    p = Params(data)
    fields = ("name", "description", "format", "url", "mimetype")
    terms: list[tuple[str, str]] = []
    for clause in p.names("query"):
        field, sep, term = clause.partition(":")
        if not sep or field not in fields:
            raise validation_error(
                {"query": f"须为 字段:词，字段为 {'、'.join(fields)} (use field:term with a "
                 f"field of {', '.join(fields)})"}
            )  # fmt: skip
        terms.append((field, term.casefold()))
    found = [
        res for _, res in _resources(ctx)
        if all(term in str(res[field]).casefold() for field, term in terms)
    ]  # fmt: skip
    order = p.text("order_by")
    if order:
        if order not in fields:
            raise validation_error({"order_by": f"可用：{'、'.join(fields)}"})
        found.sort(key=lambda res: str(res[order]))
    offset = p.number("offset", 0)
    return {"count": len(found), "results": found[offset : offset + p.number("limit", 10**9)]}


@action
def format_autocomplete(ctx: Context, data: dict[str, Any]) -> list[str]:
    """The resource formats that contain q, lower case. Parameters: q, limit (default 5)."""
    p = Params(data)
    fragment = p.text("q", required=True).casefold()
    return [f.lower() for f in FORMATS if fragment in f.lower()][: p.number("limit", 5)]


def _tags(ctx: Context) -> dict[str, list[Package]]:
    found: dict[str, list[Package]] = {}
    for pkg in ctx.packages:
        for tag in pkg.tags:
            found.setdefault(tag, []).append(pkg)
    return dict(sorted(found.items()))


def _tag(name: str) -> dict[str, Any]:
    return {"id": stable_id("tag", name), "name": name, "display_name": name,
            "vocabulary_id": None, "state": "active"}  # fmt: skip


@action
def tag_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The tags of the open datasets. Parameters: query (a fragment), all_fields (tag
    dictionaries instead of names), vocabulary_id (no vocabularies: none then)."""
    p = Params(data)
    if p.text("vocabulary_id"):
        return []
    fragment = p.text("query").casefold()
    tags = [t for t in _tags(ctx) if fragment in t.casefold()]
    return [_tag(t) for t in tags] if p.flag("all_fields") else tags


@action
def tag_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One tag by id or name. Parameters: id, include_datasets (default false)."""
    p = Params(data)
    wanted = p.text("id", required=True)
    for name, pkgs in _tags(ctx).items():
        if wanted in (name, stable_id("tag", name)):
            out = _tag(name)
            if p.flag("include_datasets"):
                out["packages"] = [ctx.show(pkg) for pkg in pkgs]
            return out
    raise ctx.not_found(f"没有标签“{wanted}”", f"no tag with id or name {wanted!r}")


@action
def vocabulary_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The tag vocabularies: none (the tags are free tags)."""
    return []
