"""CKAN's Action API over the open datasets (read-only): the dispatcher, the envelope and the
errors, and the site-wide actions (status_show, site_read, license_list, help_show). The
dataset, resource and tag actions are in ckan_packages, the organisation and group actions in
ckan_groups.

Answers and errors have CKAN's own shape, so CKAN clients (ckanapi, CKAN harvesters) work
unchanged: ``{"help", "success": true, "result"}``, or ``{"help", "success": false, "error":
{"__type", "message" | field messages}}`` with CKAN's status and ``__type`` — 404 Not Found
Error, 409 Validation Error (an invalid parameter value, a missing id), 403 Authorization
Error (a bad key), 400 Bad Request (an unknown action), and 429 when a limit is exceeded.
As in CKAN, parameters an action does not know are ignored, and ``rows``/``limit`` above the
maximum are capped to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gongxin import __version__
from gongxin.errors import GongxinError
from gongxin.errors import NotFound as GxNotFound
from gongxin.opendata.packages import Package
from gongxin.settings import Settings

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
    now: datetime  # the moment of the request: NOW in search queries

    def show(self, pkg: Package) -> dict[str, Any]:
        """A package as package_show gives it."""
        return pkg.as_dict(self.base, self.settings)

    def not_found(self, zh: str, en: str) -> CkanError:
        return from_domain(GxNotFound(zh, en))


class Params:
    """An action's parameters (query string or JSON body). Those an action does not read are
    ignored, as CKAN ignores them."""

    def __init__(self, data: dict[str, Any]) -> None:
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

    def number(self, name: str, default: int, low: int = 0, cap: int = 10**9) -> int:
        """A whole number of at least ``low``; one above ``cap`` is taken as ``cap``."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 in a JSON body
            number = low - 1
        if isinstance(value, bool) or number < low:
            raise validation_error(
                {name: f"须为不小于 {low} 的整数 (must be a whole number of at least {low})"}
            )
        return min(number, cap)

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


@action
def license_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The licence of the open data."""
    s = ctx.settings
    licence = {"id": s.opendata_license_id, "title": s.opendata_license_title,
               "url": s.opendata_license_url, "od_conformance": "approved"}  # fmt: skip
    return [{**licence, "status": "active"}]


@action
def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """What this site is: its CKAN API version and gongxin's own."""
    return {
        "site_title": f"{ctx.settings.opendata_publisher} 开放数据", "site_url": ctx.base,
        "site_description": "公共信用信息开放数据 (gongxin)", "ckan_version": CKAN_VERSION,
        "locale_default": "zh_Hans_CN", "extensions": ["gongxin"], "gongxin_version": __version__,
    }  # fmt: skip


@action
def site_read(ctx: Context, data: dict[str, Any]) -> bool:
    """Whether this site may be read: always true for the open data."""
    return True


@action
def help_show(ctx: Context, data: dict[str, Any]) -> str:
    """An action's documentation. Parameters: name."""
    name = Params(data).text("name", required=True)
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


# The actions of these modules register themselves with @action.
from gongxin.opendata import ckan_groups, ckan_packages  # noqa: E402, F401
