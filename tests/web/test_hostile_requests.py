"""Hostile requests get a 4xx in the platform's error shape, never a 500, and cost little:
oversized bodies (413 before they are read, and before any key work), deeply nested JSON,
huge integers in page/offset/id parameters, a NUL byte in the search box, '²' in a cursor or
a page number."""

from __future__ import annotations

import base64
import hashlib
import hmac
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts

from gongxin.errors import InvalidInput
from gongxin.exchange import changefeed
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.params import MAX_ID
from tests.intake.helpers import AS_OF
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

MB = 1024**2
HUGE = 10**30


@dataclass
class Site:
    app: FastAPI
    client: TestClient
    world: World

    def asgi(
        self, method: str, path: str, chunks: int, chunk: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], int]:
        """Call the app directly, feeding the body chunk by chunk: (status, JSON, chunks read)."""
        import orjson

        read = 0
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal read
            read += 1
            return {"type": "http.request", "body": chunk, "more_body": read < chunks}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "server": ("testserver", 80),
            "client": ("127.0.0.1", 1234),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }  # fmt: skip

        async def call() -> None:
            await self.app(scope, receive, send)

        self.client.portal.call(call)  # type: ignore[union-attr]
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, orjson.loads(body), read


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    for world in open_world(db_url):
        settings = Settings(database_url=db_url, var_dir=tmp_path / "var")
        app = create_app(settings)
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            yield Site(app, client, world)


def _shape(body: dict[str, Any], code: str) -> None:
    assert body["error"] == code
    assert body["zh"] and body["en"] and body["message"].startswith(body["zh"])


# -- body size ------------------------------------------------------------------------------


def test_a_50_mb_check_without_a_key_is_refused_unread(site: Site) -> None:
    headers = {"content-type": "application/json", "content-length": str(50 * MB)}
    status, body, read = site.asgi("POST", "/api/v1/checks", 50, b" " * MB, headers)
    assert status == 413
    _shape(body, "too_large")
    assert "16777216" in body["zh"]  # the cap is named
    assert read == 0  # not one byte of the body was read


def test_the_key_is_checked_before_a_check_body_is_read(site: Site) -> None:
    headers = {"content-type": "application/json"}
    status, _body, read = site.asgi("POST", "/api/v1/checks", 4, b" " * 1024, headers)
    assert status == 401
    assert read == 0


def test_a_streamed_body_past_its_cap_stops_being_read(site: Site) -> None:
    """No Content-Length (chunked): the body is read only until it passes the cap."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    status, body, read = site.asgi("POST", "/admin/login", 40, b"a" * (MB // 4), headers)
    assert status == 413
    _shape(body, "too_large")
    assert read <= 5  # 1 MiB cap: the fifth quarter passes it; the other 35 are never read


def test_a_huge_login_form_is_413(site: Site) -> None:
    response = site.client.post("/admin/login", data={"username": "x", "password": "p" * 2 * MB})
    assert response.status_code == 413
    _shape(response.json(), "too_large")


def test_the_ckan_rate_limit_comes_before_the_body(db_url: str, tmp_path: Path) -> None:
    for world in open_world(db_url):
        settings = Settings(
            database_url=db_url, var_dir=tmp_path / "var", opendata_anonymous_rate_per_minute=1
        )
        app = create_app(settings)
        with TestClient(app) as client:
            site = Site(app, client, world)
            headers = {"content-type": "application/json"}
            first = site.asgi("POST", "/api/3/action/package_list", 1, b"{}", headers)
            assert first[0] == 200
            status, body, read = site.asgi("POST", "/api/3/action/package_list", 3, b" ", headers)
            assert status == 429
            assert body["success"] is False
            assert read == 0


# -- nesting --------------------------------------------------------------------------------


def test_a_deeply_nested_check_body_is_refused(site: Site) -> None:
    nested = b'{"subjects": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = site.client.post(
        "/api/v1/checks",
        content=nested,
        headers={"Authorization": f"Bearer {site.world.key}", "content-type": "application/json"},
    )
    assert response.status_code == 400
    _shape(response.json(), "json_too_deep")
    assert "32" in response.json()["zh"]


def test_a_deeply_nested_ckan_body_is_refused(site: Site) -> None:
    nested = b'{"q": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    as_json = site.client.post(
        "/api/3/action/package_search",
        content=nested,
        headers={"content-type": "application/json"},
    )
    assert as_json.status_code == 400
    _shape(as_json.json(), "json_too_deep")
    # sent as plain text the CKAN action reads it all the same, and refuses it CKAN's way
    as_text = site.client.post(
        "/api/3/action/package_search", content=nested, headers={"content-type": "text/plain"}
    )
    assert as_text.status_code == 409
    assert "32" in str(as_text.json()["error"])


# -- integers -------------------------------------------------------------------------------


def _int_params(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        for param in get_flat_params(route.dependant):
            annotation = param.field_info.annotation
            if int in (typing.get_args(annotation) or (annotation,)):
                yield context.path or "", param.name, param.field_info


def test_every_integer_parameter_has_an_upper_bound(site: Site) -> None:
    found = list(_int_params(site.app))
    assert len(found) > 20  # page, size, offset, limit, ids … across the API and the pages
    unbounded = []
    for path, name, info in found:
        bounds = [getattr(m, "le", None) or getattr(m, "lt", None) for m in info.metadata]
        if not any(b is not None and b <= MAX_ID for b in bounds):
            unbounded.append(f"{path} {name}")
    assert not unbounded, f"integer parameters without an upper bound: {unbounded}"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/subjects?q=北京&page={HUGE}",
        f"/api/v1/lists/serious_dishonest/entries?page={HUGE}",
        f"/api/v1/commitments?page={HUGE}",
        f"/api/v1/commitments/{HUGE}",
        f"/api/v1/commitments/-{HUGE}",
        f"/records/{HUGE}",
        f"/commitments/{HUGE}",
        f"/search?q=北京&page={HUGE}",
        "/search?q=北京&page=²",
    ],
)
def test_huge_integers_are_4xx(site: Site, url: str) -> None:
    response = site.client.get(url)
    assert response.status_code in (400, 404, 422), response.text[:300]


@pytest.mark.parametrize("number", [2**31, 2**40, MAX_ID])
def test_an_id_beyond_an_integer_tables_range_is_4xx(site: Site, number: int) -> None:
    """Sharing requests keep INTEGER ids (32 bits on PostgreSQL): an id past them, within
    64 bits, was sent to the store and failed there, a 500 on PostgreSQL."""
    from gongxin.identity import keys

    with site.world.engine.begin() as conn:
        key = keys.create(conn, "市市场监督管理局", now=AS_OF, scopes=["exchange"]).key
    auth = {"Authorization": f"Bearer {key}"}
    url = f"/api/v1/exchange/requests/{number}"
    for answer in (
        site.client.get(url, headers=auth),
        site.client.post(f"{url}/refuse", json={"reasons": "不符合条件"}, headers=auth),
        site.client.post(f"{url}/approve", json={}, headers=auth),
    ):
        assert answer.status_code in (404, 422), answer.text[:300]


def test_huge_offset_with_a_key_is_422(site: Site) -> None:
    # the submitter's routes need a submit key; the checker's key is refused 403 first, so a
    # key with every scope is made here
    from gongxin.identity import keys

    with site.world.engine.begin() as conn:
        key = keys.create(conn, "市市场监督管理局", now=AS_OF).key
    response = site.client.get(
        f"/api/v1/submissions/x/warnings?offset={HUGE}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "query.offset" in response.json()["zh"]


# -- text -----------------------------------------------------------------------------------


def test_a_nul_byte_in_the_search_box_is_400(site: Site) -> None:
    api = site.client.get("/api/v1/subjects", params={"q": "北京\x00公司"})
    assert api.status_code == 400
    _shape(api.json(), "invalid_input")
    page = site.client.get("/search", params={"q": "北京\x00公司"})
    assert page.status_code == 400
    assert "控制字符" in page.text


def test_a_forged_cursor_with_a_superscript_digit_is_400(site: Site) -> None:
    # a correctly signed cursor whose sequence number is '²' (as if the secret leaked):
    # str.isdigit accepts it, int() does not
    secret = b"the deployment's cursor secret"
    payload = "v2:penalty:²:0"
    tag = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[: changefeed.TAG_HEX]
    cursor = base64.urlsafe_b64encode(f"{payload}:{tag}".encode()).decode().rstrip("=")
    with pytest.raises(InvalidInput, match="游标"):
        changefeed.decode(cursor, "penalty", secret)


def test_an_infinite_ckan_number_is_a_validation_error(site: Site) -> None:
    response = site.client.post(
        "/api/3/action/package_search",
        content=b'{"rows": 1e400}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Validation Error"
    assert "rows" in response.json()["error"]


def test_a_nested_body_without_a_content_type_is_refused_in_the_platforms_shape(
    site: Site,
) -> None:
    nested = b"[" * 50_000 + b"]" * 50_000
    response = site.client.post(
        "/api/v1/checks/x/feedback",
        content=nested,
        headers={"Authorization": f"Bearer {site.world.key}", "content-type": ""},
    )
    assert response.status_code == 400
    _shape(response.json(), "json_too_deep")
