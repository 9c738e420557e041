"""Property-based check of the API against its own OpenAPI document (schemathesis).

A live server (uvicorn on 127.0.0.1) serves a store (SQLite, then PostgreSQL) loaded with a
small demo data set;
for every operation of ``/openapi.json`` schemathesis generates a bounded number of requests,
valid and malformed, with a department key holding every scope, and checks that no answer is a
server error and that every answer — success or error — matches the schema declared for its
status and media type (the platform's error shape for 4xx). Each failure names the operation
and the request that reproduces it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongxin.demo.generate import generate
from gongxin.demo.load import load
from gongxin.identity import departments, keys
from gongxin.identity.roles import Scope
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import catalog, open_store
from tests.support.live import live_server

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 22)
EXAMPLES = 5  # per operation and generation mode: ~42 operations, well under a minute
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Live:
    url: str
    key: str


@pytest.fixture(scope="module")
def live(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("schemathesis")
    db_url = module_db_url  # both stores: PostgreSQL's 32-bit INTEGER ids overflowed where
    # SQLite's did not
    for store in open_store(db_url, folder):
        files = generate(folder / "demo", subjects=60, seed=3, as_of=AS_OF)
        load(store.engine, catalog(), files, as_of=NOW)
        with store.engine.begin() as conn:
            departments.add(conn, "市模糊测试局", kind="centre", code=None, now=NOW)
            key = keys.create(conn, "市模糊测试局", now=NOW, scopes=list(Scope)).key
    app = create_app(
        Settings(
            database_url=db_url,
            var_dir=folder / "var",
            opendata_anonymous_rate_per_minute=100_000,
        )
    )
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with live_server(app) as url:
        yield Live(url, key)


def _run(
    live: Live, operation: Any, mode: GenerationMode, statuses: Counter[int] | None = None
) -> str | None:
    """None, or the first failure of ``operation`` in ``mode``, with its request."""
    strategy = operation.as_strategy(
        generation_mode=mode, headers={"Authorization": f"Bearer {live.key}"}
    )
    failures: list[str] = []
    statuses = Counter[int]() if statuses is None else statuses

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # report the first failure, do not shrink
        suppress_health_check=list(HealthCheck),
    )
    def examples(case: Any) -> None:
        if failures:
            return
        response = case.call(base_url=live.url, timeout=30)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except (Exception, BaseExceptionGroup) as exc:
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
            problems = "\n".join(str(e).strip()[:1200] for e in found)
            failures.append(
                f"{operation.method.upper()} {operation.path} ({mode.value}): {problems}\n"
                f"  reproduce: {case.as_curl_command()}"
            )
        statuses[response.status_code] += 1

    try:
        examples()
    except Unsatisfiable:
        assert mode == GenerationMode.NEGATIVE  # nothing in the request can be malformed
    return failures[0] if failures else None


def test_no_operation_fails_or_breaks_its_schema(live: Live) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    failures = []
    operations = 0
    statuses = Counter[int]()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _run(live, operation, mode, statuses)
            if failure:
                failures.append(failure)
    assert operations >= 40
    # the requests reached the handlers: answers, not-found and malformed-input errors
    assert {200, 404, 422} <= set(statuses), statuses
    assert not failures, "\n\n".join(failures)


def test_a_schema_violation_is_caught(live: Live) -> None:
    """The harness is honest: an answer that does not match its declared schema is reported."""
    wrong = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/api/v1/scenes": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "required": ["not_a_field"]}
                                }
                            },
                        }
                    },
                }
            }
        },
    }
    schema = schemathesis.openapi.from_dict(wrong)
    (operation,) = [r.ok() for r in schema.get_all_operations()]
    failure = _run(live, operation, GenerationMode.POSITIVE)
    assert failure is not None and "not_a_field" in failure
