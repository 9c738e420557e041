"""CKAN's organisation and group actions: organization_list, organization_show,
organization_autocomplete, group_list, group_show, group_package_show, group_autocomplete.

Organisations are the providers and publisher of the open datasets (packages.organizations);
groups are the themes of the catalog (themes.yaml: the categories of the 公共信用信息基础目录).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from gongxin.opendata.ckan import Context, Params, action, validation_error
from gongxin.opendata.packages import Package, groups, organizations

LIST_MAX = 1000  # ckan.group_and_organization_list_max
ALL_FIELDS_MAX = 25  # ckan.group_and_organization_list_all_fields_max


class _Owner(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    def as_dict(self, package_count: int | None = None) -> dict[str, Any]: ...


Found = Mapping[str, tuple[_Owner, list[Package]]]


def _list(found: Found, data: dict[str, Any], only: str) -> list[Any]:
    """group_list and organization_list: names, or dictionaries with ``all_fields``.
    Parameters: sort (name, title or package_count, asc or desc; default title asc), limit,
    offset, q, ``only`` (groups / organizations: the names to list), all_fields,
    include_dataset_count."""
    p = Params(data)
    items = list(found.values())
    sort = p.text("sort", "title asc").split()
    if (
        len(sort) not in (1, 2)
        or sort[0] not in ("name", "title", "package_count")
        or (len(sort) == 2 and sort[1] not in ("asc", "desc"))
    ):
        raise validation_error(
            {"sort": "可用：name、title、package_count，加 asc 或 desc (sort by name, title or "
             "package_count, asc or desc)"}
        )  # fmt: skip
    keys: dict[str, Callable[[tuple[_Owner, list[Package]]], Any]] = {
        "name": lambda o: o[0].name, "title": lambda o: o[0].title,
        "package_count": lambda o: len(o[1]),
    }  # fmt: skip
    items.sort(key=keys[sort[0]], reverse=len(sort) == 2 and sort[1] == "desc")
    q = p.text("q").casefold()
    if q:
        items = [o for o in items if q in o[0].name.casefold() or q in o[0].title.casefold()]
    names = p.names(only)
    if names:
        items = [o for o in items if o[0].name in names]
    all_fields = p.flag("all_fields")
    cap = ALL_FIELDS_MAX if all_fields else LIST_MAX
    offset = p.number("offset", 0)
    items = items[offset : offset + p.number("limit", cap, cap=cap)]
    if not all_fields:
        return [owner.name for owner, _ in items]
    counted = p.flag("include_dataset_count", True)
    return [owner.as_dict(len(pkgs) if counted else None) for owner, pkgs in items]


def _find(found: Found, wanted: str) -> tuple[_Owner, list[Package]] | None:
    return next((item for item in found.values() if wanted in (item[0].name, item[0].id)), None)


def _show(ctx: Context, found: Found, data: dict[str, Any], kind: str) -> dict[str, Any]:
    p = Params(data)
    wanted = p.text("id", required=True)
    item = _find(found, wanted)
    if item is None:
        zh = "组织" if kind == "organization" else "分组"
        raise ctx.not_found(f"没有名为“{wanted}”的{zh}", f"no {kind} with id or name {wanted!r}")
    owner, pkgs = item
    out = owner.as_dict(len(pkgs))
    if p.flag("include_datasets"):
        out["packages"] = [ctx.show(pkg) for pkg in pkgs]
    out |= {"users": [], "extras": [], "groups": [], "tags": _tags(pkgs)}
    return out


def _tags(pkgs: Iterable[Package]) -> list[dict[str, Any]]:
    names = sorted({t for pkg in pkgs for t in pkg.tags})
    return [{"name": n, "display_name": n} for n in names]


def _autocomplete(found: Found, data: dict[str, Any]) -> list[dict[str, str]]:
    p = Params(data)
    fragment = p.text("q").casefold()
    hits = [
        {"id": owner.id, "name": owner.name, "title": owner.title}
        for owner, _ in found.values()
        if fragment in owner.name.casefold() or fragment in owner.title.casefold()
    ]
    return hits[: p.number("limit", 20)]


def _organizations(ctx: Context) -> Found:
    return organizations(ctx.packages)


def _groups(ctx: Context) -> Found:
    return groups(ctx.packages)


@action
def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The organisations that publish open datasets. Parameters: all_fields, sort (default
    title asc), limit, offset, q, organizations, include_dataset_count."""
    return _list(_organizations(ctx), data, "organizations")


@action
def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One organisation by id or name. Parameters: id, include_datasets (default false)."""
    return _show(ctx, _organizations(ctx), data, "organization")


@action
def organization_autocomplete(ctx: Context, data: dict[str, Any]) -> list[dict[str, str]]:
    """Organisations whose name or title contains q. Parameters: q, limit (default 20)."""
    return _autocomplete(_organizations(ctx), data)


@action
def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """The groups (themes of the catalog) that hold open datasets. Parameters: all_fields,
    sort (default title asc), limit, offset, q, groups, include_dataset_count."""
    return _list(_groups(ctx), data, "groups")


@action
def group_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """One group (theme) by id or name. Parameters: id, include_datasets (default false)."""
    return _show(ctx, _groups(ctx), data, "group")


@action
def group_package_show(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The open datasets of a group, most recently modified first. Parameters: id, limit."""
    p = Params(data)
    wanted = p.text("id", required=True)
    item = _find(_groups(ctx), wanted)
    if item is None:
        raise ctx.not_found(f"没有名为“{wanted}”的分组", f"no group with id or name {wanted!r}")
    pkgs = sorted(item[1], key=lambda pkg: pkg.modified, reverse=True)
    return [ctx.show(pkg) for pkg in pkgs[: p.number("limit", len(pkgs))]]


@action
def group_autocomplete(ctx: Context, data: dict[str, Any]) -> list[dict[str, str]]:
    """Groups whose name or title contains q. Parameters: q, limit (default 20)."""
    return _autocomplete(_groups(ctx), data)
