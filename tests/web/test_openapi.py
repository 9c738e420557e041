"""The OpenAPI document tells a client everything it needs: every operation's answer (a JSON
model, or the media type of a file), its errors in the platform's error shape, and the key it
needs (a department key, or the optional open-data key). HTML pages are for people and are left
out of the document (``include_in_schema=False``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gongxin.identity.roles import Scope
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.exchange.access_matrix import ACCESS
from tests.support.http import TestClient

ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "422", "429")
FILES = {
    ("get", "/opendata/{code}.csv"): "text/csv",
    ("get", "/api/v1/agency/statement.csv"): "text/csv",
    ("get", "/catalog.ttl"): "text/turtle",
    ("get", "/catalog.jsonld"): "application/ld+json",
    ("get", "/api/v1/reports/{code}.pdf"): "application/pdf",
    ("post", "/api/v1/applications/decision.pdf"): "application/pdf",
    ("get", "/api/v1/complaints/report.csv"): "text/csv",
    ("get", "/api/v1/industry-evaluations/certificates/{cert_no}.pdf"): "application/pdf",
    ("get", "/api/v1/submissions/{submission_id}/rejects"): (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
OPEN_DATA = {"/opendata/{code}.csv", "/opendata/{code}.json", "/catalog.ttl", "/catalog.jsonld",
             "/api/3/action/{name}"}  # fmt: skip


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(database_url=f"sqlite:///{folder}/x.db", var_dir=folder))
    spec: dict[str, Any] = app.openapi()
    return spec


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if path != "/health"
    ]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref:
        resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def test_every_error_answer_is_declared_in_the_error_shape(document: dict[str, Any]) -> None:
    error_body = document["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) == {"error", "message", "zh", "en"}
    missing = []
    for method, path, op in _operations(document):
        for status in ERROR_STATUSES:
            answer = op["responses"].get(status)
            schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema")
            if not schema or "$ref" not in schema:
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing, missing


def test_every_success_answer_has_a_model_or_a_media_type(document: dict[str, Any]) -> None:
    wrong = []
    for method, path, op in _operations(document):
        ok = op["responses"].get("200") or op["responses"].get("201")
        content = ok["content"] if ok else {}
        want = FILES.get((method, path), "application/json")
        schema = content.get(want, {}).get("schema")
        if not schema:
            wrong.append(f"{method.upper()} {path}: no {want} answer ({sorted(content)})")
        elif want == "application/json" and not _resolve(document, schema):
            wrong.append(f"{method.upper()} {path}: an empty JSON schema")
    assert not wrong, wrong
    check = document["paths"]["/api/v1/checks"]["post"]["responses"]["200"]
    model = _resolve(document, check["content"]["application/json"]["schema"])
    assert {"check_id", "results"} <= set(model["properties"])  # the credit check's answer


def test_security_schemes_match_the_guards(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["departmentKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["departmentKey"]["description"],
    }
    assert schemes["openDataKey"]["in"] == "header"
    assert schemes["openDataKey"]["name"] == "X-API-Key"
    wrong = []
    for method, path, op in _operations(document):
        security = op.get("security", [])
        access = ACCESS[(method.upper(), path)]
        if isinstance(access, Scope) and security != [{"departmentKey": []}]:
            wrong.append(f"{method.upper()} {path} needs {access}: security {security}")
        if path in OPEN_DATA and security != [{"openDataKey": []}, {}]:
            wrong.append(f"{method.upper()} {path}: optional open-data key, got {security}")
        if not isinstance(access, Scope) and path not in OPEN_DATA and security:
            wrong.append(f"{method.upper()} {path} is public: security {security}")
    assert not wrong, wrong


def test_html_pages_are_left_out(document: dict[str, Any]) -> None:
    pages = [p for _, p in ACCESS if p.startswith("/admin") and "/api/" not in p]
    pages += ["/", "/search", "/subjects/{code}", "/shuanggongshi", "/opendata"]
    assert "/admin/login" in pages
    assert not set(pages) & set(document["paths"])


def test_an_unknown_address_answers_in_the_error_shape(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path))
    with TestClient(app) as client:
        missing = client.get("/api/v1/no-such-thing")
        assert missing.status_code == 404
        assert missing.json()["error"] == "not_found" and "没有这个地址" in missing.json()["zh"]
        wrong = client.delete("/health")
        assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
        assert wrong.headers["allow"] == "GET"
