"""package_search's query language on hostile input: whatever q, fq, sort and rows hold, the
answer is a result or a CKAN Validation Error naming the parameter, never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongxin.opendata import ckan
from gongxin.opendata.packages import packages
from gongxin.settings import Settings
from tests.intake.helpers import catalog, open_store

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
PIECES = st.sampled_from(
    ["(", ")", "AND", "OR", "NOT", "-", "+", '"', "*", ":", "[", "]", "{", "}", " TO ", "NOW",
     "-1DAY", "/DAY", "name:", "tags:", "groups:", "metadata_modified:", "penalty", "2026-01-01",
     "T00:00:00Z", " ", "处罚", "\\", "&&", "||", "!"]
)  # fmt: skip
QUERIES = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=25).map("".join))


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ckan.Context]:
    folder = tmp_path_factory.mktemp("query")
    url = f"sqlite:///{folder / 'q.db'}"
    site = Settings(database_url=url, var_dir=folder / "var")
    for store in open_store(url, folder):
        with store.engine.connect() as conn:
            yield ckan.Context(packages(conn, catalog(), site), site, "http://x", NOW)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERIES, fq=QUERIES, sort=st.one_of(st.none(), QUERIES))
def test_any_query_is_answered_or_refused_by_name(
    context: ckan.Context, q: str, fq: str, sort: str | None
) -> None:
    data = {"q": q, "fq": fq, "rows": "5"} | ({"sort": sort} if sort is not None else {})
    try:
        result = ckan.call("package_search", context, data)
    except ckan.CkanError as exc:
        assert exc.status == 409, exc.error
        assert exc.error["__type"] == "Validation Error"
        assert set(exc.error) - {"__type"} <= {"q", "fq", "sort"}, exc.error
    else:
        assert 0 <= len(result["results"]) <= min(5, result["count"])


def test_or_binds_the_clauses_beside_it(context: ckan.Context) -> None:
    def names(fq: str) -> set[str]:
        found = ckan.call("package_search", context, {"fq": fq, "rows": 1000})
        return {p["name"] for p in found["results"]}

    assert names("name:penalty OR name:licence tags:行政管理信息") == {"penalty", "licence"}
    assert names("name:penalty OR name:licence -name:licence") == {"penalty"}
    assert names("name:registration OR (name:penalty AND name:licence)") == {"registration"}
    assert names("metadata_created:[* TO *] name:penalty") == {"penalty"}
