"""The demo's sharing requests: pending and overdue, approved with a working grant, refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.catalog import providers
from gongxin.catalog.registry import load_catalog
from gongxin.demo import generate, load
from gongxin.demo import sharing as demo_sharing
from gongxin.errors import Forbidden
from gongxin.exchange import exchange_view
from gongxin.exchange.exchange_view import Caller
from gongxin.identity import departments
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_demo_requests_and_the_approved_grant(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=100, seed=2, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    made = demo_sharing.run(engine, catalog, now=AS_OF, reply_days=10)
    assert demo_sharing.run(engine, catalog, now=AS_OF, reply_days=10) == []  # only once

    by_status = {r.status(AS_OF_DATE): r for r in made}
    assert set(by_status) == {"pending", "approved", "refused"}
    pending, approved, refused = by_status["pending"], by_status["approved"], by_status["refused"]
    assert all(r.dataset == "dishonest_debtor" for r in made)
    assert pending.department.name == "市财政局" and pending.overdue(AS_OF_DATE)
    assert approved.department.name == "市政务服务管理局" and approved.grant_id is not None
    assert refused.reasons and "个人信息保护法" in refused.reasons
    assert not approved.overdue(AS_OF_DATE) and not refused.overdue(AS_OF_DATE)

    with engine.begin() as conn:
        assert [p.name for p in providers.providers_of(conn, "dishonest_debtor")] == [
            "市中级人民法院"
        ]
        reader = Caller(departments.get(conn, "市政务服务管理局"), "key:demo")
        page = exchange_view.read_records(
            conn, catalog, reader, "dishonest_debtor", page=1, size=20, since=None, until=None,
            now=AS_OF,
        )  # fmt: skip
        assert page["items"], "the grant should let the department read the records"
        assert set(page["fields"]) == set(approved.fields)
        assert all(set(item["data"]) == set(approved.fields) for item in page["items"])
        finance = Caller(departments.get(conn, "市财政局"), "key:demo")
        with pytest.raises(Forbidden):
            exchange_view.read_records(
                conn, catalog, finance, "dishonest_debtor", page=1, size=20, since=None,
                until=None, now=AS_OF,
            )  # fmt: skip
