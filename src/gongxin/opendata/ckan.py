"""CKAN's Action API over the open datasets (read-only): package_list, package_show,
package_search, organization_list, organization_show, tag_list, license_list, status_show,
help_show.

Answers and errors have CKAN's own shape, so CKAN clients (ckanapi, CKAN harvesters) work
unchanged: ``{"help", "success": true, "result"}``, or ``{"help", "success": false, "error":
{"__type", "message" | field messages}}`` with CKAN's status and ``__type`` — 404 Not Found
Error, 409 Validation Error (an unknown or invalid parameter, a missing id), 403 Authorization
Error (a bad key), 400 Bad Request (an unknown action), and 429 when a limit is exceeded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongxin import __version__
from gongxin.errors import GongxinError
from gongxin.errors import NotFound as GxNotFound
from gongxin.opendata import search as searching
from gongxin.opendata.packages import Package, find, organizations
from gongxin.settings import Settings

MAX_ROWS = 1000
DEFAULT_ROWS = 10
CKAN_VERSION = "2.10.4"  # the API version gongxin's answers follow


class CkanError(Exception):
    """An error in CKAN's shape: HTTP ``status`` and the ``error`` object of the body."""

    def __init__(self, status: int, error: dict[str, Any], retry_after: int | None = None):
        super().__init__(error.get("message") or error)
        self.status = status
        self.error = error
        self.retry_after = retry_after


def validation_error(fields: dict[str, str]) -> CkanError:
    return CkanError(409, {"__type": "Validation Error", **{k: [v] for k, v in fields.items()}})


def from_domain(exc: GongxinError) -> CkanError:
    """A gongxin error (bad key, limits, not found) as CKAN would report it."""
    if exc.status == 404:
        return CkanError(404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"})
    if exc.status in (401, 403):
        kind = {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
        return CkanError(403, kind)
    if exc.status == 429:
        retry = int(exc.details.get("retry_after", 60))
        body = {"__type": "Rate Limit Error", "message": exc.message, "retry_after": retry}
        return CkanError(429, body, retry)
    return CkanError(exc.status, {"__type": "Validation Error", "message": exc.message})


@dataclass(frozen=True)
class Context:
    packages: list[Package]
    settings: Settings
    base: str  # the public base URL, without a trailing slash


class Params:
    """An action's parameters (query string or JSON body), checked against what it accepts."""

    def __init__(self, data: dict[str, Any], accepted: tuple[str, ...]) -> None:
        unknown = sorted(k for k in data if k not in accepted)
        if unknown:
            known = "、".join(accepted) if accepted else "（无）"
            raise validation_error(
                {
                    k: f"未知参数；可用参数：{known} (unknown parameter; accepted: "
                    f"{', '.join(accepted) or 'none'})"
                    for k in unknown
                }
            )
        self.data = data

    def text(self, name: str, default: str = "", *, required: bool = False) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise validation_error({name: "缺少此参数 (Missing value)"})
            return default
        if not isinstance(value, str | int):
            raise validation_error({name: "须为文本 (must be a string)"})
        return str(value)

    def number(self, name: str, default: int, low: int, high: int) -> int:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 in a JSON body
            number = low - 1
        if isinstance(value, bool) or not low <= number <= high:
            raise validation_error(
                {name: f"须为 {low} 至 {high} 的整数 (must be a whole number {low}..{high})"}
            )
        return number

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise validation_error({name: "须为 true 或 false (must be true or false)"})

    def names(self, name: str) -> list[str]:
        """A list given as a JSON list, a JSON string of a list, or one name."""
        value = self.data.get(name)
        if value in (None, ""):
            return []
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise validation_error({name: "不是有效的 JSON 列表 (not a JSON list)"}) from None
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise validation_error({name: "须为名称列表 (must be a list of names)"})


Action = Callable[[Context, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}


def action(fn: Action) -> Action:
    ACTIONS[fn.__name__] = fn
    return fn


def _show(ctx: Context, pkg: Package) -> dict[str, Any]:
    return pkg.as_dict(ctx.base, ctx.settings)


@action
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    """The names of the open datasets, sorted. Parameters: limit, offset."""
    p = Params(data, ("limit", "offset"))
    names = sorted(pkg.name for pkg in ctx.packages)
    offset = p.number("offset", 0, 0, 10**9)
    limit = p.number("limit", len(names), 0, 10**9)
    return names[offset : offset + limit]


@action
def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One open dataset by id or name (its dataset code). Parameters: id."""
    p = Params(data, ("id", "use_default_schema", "include_tracking", "include_plugin_data"))
    return _show(ctx, find(ctx.packages, p.text("id", required=True)))


@action
def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Search the open datasets. Parameters: q (free text over name, title, description and
    tags, or field:value), fq (organization:, tags:, res_format:, name:, license_id: …),
    rows (default 10, at most 1000), start, sort, facet.field, facet.limit, facet.mincount."""
    p = Params(
        data,
        ("q", "fq", "rows", "start", "sort", "facet", "facet.field", "facet.limit",
         "facet.mincount", "include_private", "include_drafts"),
    )  # fmt: skip
    rows = p.number("rows", DEFAULT_ROWS, 0, MAX_ROWS)
    start = p.number("start", 0, 0, 10**9)
    sort = p.text("sort") or None
    licence = ctx.settings.opendata_license_id
    try:
        hits = searching.search(
            ctx.packages, q=p.text("q"), fq=p.text("fq"), sort=sort, license_id=licence
        )
        wanted = p.names("facet.field") if p.flag("facet", True) else []
        plain, rich = searching.facets(
            hits, wanted, licence, p.number("facet.limit", 50, -1, 10**6),
            p.number("facet.mincount", 1, 0, 10**6),
        )  # fmt: skip
    except searching.BadQuery as exc:
        raise validation_error({exc.parameter: f"{exc.zh} ({exc.en})"}) from None
    return {
        "count": len(hits),
        "results": [_show(ctx, pkg) for pkg in hits[start : start + rows]],
        "sort": sort or searching.DEFAULT_SORT,
        "facets": plain,
        "search_facets": rich,
    }


@action
def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The organisations that publish open datasets. Parameters: all_fields, sort, limit,
    offset, include_dataset_count, q."""
    p = Params(
        data, ("all_fields", "sort", "limit", "offset", "include_dataset_count", "q", "type")
    )
    orgs = list(organizations(ctx.packages).values())
    sort = p.text("sort", "name asc").split()
    if (
        len(sort) not in (1, 2)
        or sort[0] not in ("name", "title", "package_count")
        or (len(sort) == 2 and sort[1] not in ("asc", "desc"))
    ):
        raise validation_error({"sort": "可用：name、title、package_count，加 asc 或 desc"})
    keys: dict[str, Callable[[Any], Any]] = {
        "name": lambda o: o[0].name, "title": lambda o: o[0].title,
        "package_count": lambda o: len(o[1]),
    }  # fmt: skip
    orgs.sort(key=keys[sort[0]], reverse=len(sort) == 2 and sort[1] == "desc")
    q = p.text("q").casefold()
    if q:
        orgs = [o for o in orgs if q in o[0].name.casefold() or q in o[0].title.casefold()]
    offset = p.number("offset", 0, 0, 10**9)
    orgs = orgs[offset : offset + p.number("limit", len(orgs), 0, 10**9)]
    if not p.flag("all_fields"):
        return [org.name for org, _ in orgs]
    counted = p.flag("include_dataset_count", True)
    return [org.as_dict(len(pkgs) if counted else None) for org, pkgs in orgs]


@action
def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One organisation by id or name. Parameters: id, include_datasets (default false)."""
    p = Params(
        data,
        ("id", "include_datasets", "include_dataset_count", "include_extras", "include_users",
         "include_tags", "include_groups", "include_followers"),
    )  # fmt: skip
    wanted = p.text("id", required=True)
    for org, pkgs in organizations(ctx.packages).values():
        if wanted in (org.name, org.id):
            out = org.as_dict(len(pkgs))
            if p.flag("include_datasets"):
                out["packages"] = [_show(ctx, pkg) for pkg in pkgs]
            out["users"] = []
            out["extras"] = []
            return out
    raise from_domain(
        GxNotFound(f"没有名为“{wanted}”的组织", f"no organization with id or name {wanted!r}")
    )


@action
def tag_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    """The tags of the open datasets. Parameters: query (a fragment), all_fields."""
    p = Params(data, ("query", "all_fields", "vocabulary_id"))
    fragment = p.text("query").casefold()
    tags = sorted({t for pkg in ctx.packages for t in pkg.tags if fragment in t.casefold()})
    return tags


@action
def license_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The licence of the open data."""
    Params(data, ())
    s = ctx.settings
    licence = {"id": s.opendata_license_id, "title": s.opendata_license_title,
               "url": s.opendata_license_url, "od_conformance": "approved"}  # fmt: skip
    return [{**licence, "status": "active"}]


@action
def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """What this site is: its CKAN API version and gongxin's own."""
    Params(data, ())
    return {
        "site_title": f"{ctx.settings.opendata_publisher} 开放数据", "site_url": ctx.base,
        "site_description": "公共信用信息开放数据 (gongxin)", "ckan_version": CKAN_VERSION,
        "locale_default": "zh_Hans_CN", "extensions": ["gongxin"], "gongxin_version": __version__,
    }  # fmt: skip


@action
def help_show(ctx: Context, data: dict[str, Any]) -> str:
    """An action's documentation. Parameters: name."""
    name = Params(data, ("name",)).text("name", required=True)
    fn = ACTIONS.get(name)
    if fn is None:
        raise from_domain(GxNotFound(f"没有动作“{name}”", f"no action {name!r}"))
    return (fn.__doc__ or "").strip()


def call(name: str, ctx: Context, data: dict[str, Any]) -> Any:
    """Run action ``name``; CkanError on any failure, already in CKAN's shape."""
    fn = ACTIONS.get(name)
    if fn is None:
        raise CkanError(
            400,
            {"__type": "Bad Request",
             "message": f"Bad request - Action name not known: {name} "
                        f"(可用：{', '.join(sorted(ACTIONS))})"},
        )  # fmt: skip
    try:
        return fn(ctx, data)
    except GongxinError as exc:
        raise from_domain(exc) from None


def envelope(base: str, name: str, result: Any) -> dict[str, Any]:
    return {"help": f"{base}/api/3/action/help_show?name={name}", "success": True, "result": result}


def error_envelope(base: str, name: str, exc: CkanError) -> dict[str, Any]:
    return {
        "help": f"{base}/api/3/action/help_show?name={name}",
        "success": False,
        "error": exc.error,
    }
