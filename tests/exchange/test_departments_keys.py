"""Departments and their API keys: registered once, keys shown once, expiring and revocable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import api_keys
from gongxin.errors import Conflict, InvalidInput, NotFound, Unauthorized
from gongxin.identity import departments, keys
from tests.intake.helpers import AS_OF, AUTHORITY_USCC, PROVIDER, wrong_check


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            departments.add(connection, PROVIDER, kind="provider", code=None, now=AS_OF)
            yield connection
    finally:
        engine.dispose()


def test_departments_are_registered_once(conn: sa.Connection) -> None:
    dept = departments.add(conn, "市税务局", kind="provider", code=AUTHORITY_USCC, now=AS_OF)
    assert (dept.name, dept.kind, dept.code) == ("市税务局", "provider", AUTHORITY_USCC)
    assert departments.get(conn, "市税务局") == dept
    assert departments.by_id(conn, dept.id) == dept
    assert [d.name for d in departments.all_departments(conn)] == [PROVIDER, "市税务局"]
    with pytest.raises(Conflict):
        departments.add(conn, "市税务局", kind="user", code=None, now=AS_OF)


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [("", "provider", None), ("市某局", "owner", None), ("市某局", "user", "not-a-uscc")],
)
def test_invalid_departments_are_refused(
    conn: sa.Connection, name: str, kind: str, code: str | None
) -> None:
    with pytest.raises(InvalidInput):
        departments.add(conn, name, kind=kind, code=code, now=AS_OF)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("市\x00税务局", "控制字符 U+0000"),
        ("市税务局\n", "控制字符 U+000A"),
        ("市\u202e局务税", "控制字符 U+202E"),  # a right-to-left override
        (" 市税务局", "首尾不能有空格"),
        ("市税务局 ", "首尾不能有空格"),
        ("局", "长度"),
        ("市" * 101, "长度"),
        ("市<script>局", "不能含字符“<”"),
        ("市税务局;drop", "不能含字符“;”"),
    ],
)
def test_bad_department_names_are_refused_naming_the_rule(
    conn: sa.Connection, name: str, rule: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(rule)) as refused:
        departments.add(conn, name, kind="provider", code=None, now=AS_OF)
    assert "invalid department name" in refused.value.en
    assert refused.value.details["field"] == "name"
    assert [d.name for d in departments.all_departments(conn)] == [PROVIDER]


def test_official_names_pass(conn: sa.Connection) -> None:
    for name in ("市场监督管理局（知识产权局）", "市发展和改革委员会·信用办", "Market Bureau 2"):
        assert departments.add(conn, name, kind="user", code=None, now=AS_OF).name == name


def test_a_department_code_must_pass_its_check(conn: sa.Connection) -> None:
    with pytest.raises(InvalidInput):
        departments.add(conn, "市某局", kind="user", code=wrong_check(AUTHORITY_USCC), now=AS_OF)
    with pytest.raises(NotFound):
        departments.get(conn, "市某局")


def test_a_key_authenticates_its_department_until_it_expires(conn: sa.Connection) -> None:
    new = keys.create(conn, PROVIDER, now=AS_OF, expires_days=30)
    assert new.key.startswith(f"gx_{new.prefix}_")
    assert new.expires_at == AS_OF + timedelta(days=30)
    stored = conn.execute(sa.select(api_keys.c.key_hash).where(api_keys.c.prefix == new.prefix))
    assert new.key not in str(stored.scalar_one())  # only a hash is kept
    assert keys.authenticate(conn, new.key, now=AS_OF).name == PROVIDER
    just_before = AS_OF + timedelta(days=30) - timedelta(seconds=1)
    assert keys.authenticate(conn, new.key, now=just_before).name == PROVIDER
    with pytest.raises(Unauthorized):
        keys.authenticate(conn, new.key, now=AS_OF + timedelta(days=30))


def test_a_key_without_expiry_works_until_revoked(conn: sa.Connection) -> None:
    new = keys.create(conn, PROVIDER, now=AS_OF)
    assert new.expires_at is None
    assert keys.authenticate(conn, new.key, now=AS_OF + timedelta(days=3650)).name == PROVIDER
    keys.revoke(conn, new.prefix, now=AS_OF)
    with pytest.raises(Unauthorized):
        keys.authenticate(conn, new.key, now=AS_OF)
    with pytest.raises(NotFound):
        keys.revoke(conn, new.prefix, now=AS_OF)


@pytest.mark.parametrize("mangle", ["tail", "prefix", "shape", "empty"])
def test_wrong_keys_are_refused(conn: sa.Connection, mangle: str) -> None:
    key = keys.create(conn, PROVIDER, now=AS_OF).key
    wrong = {
        "tail": key[:-1] + ("A" if key[-1] != "A" else "B"),
        "prefix": "gx_00000000_" + key.split("_", 2)[2],
        "shape": key.replace("gx_", "xx_"),
        "empty": "",
    }[mangle]
    with pytest.raises(Unauthorized):
        keys.authenticate(conn, wrong, now=AS_OF)


def test_keys_are_for_known_departments_and_positive_lifetimes(conn: sa.Connection) -> None:
    with pytest.raises(NotFound):
        keys.create(conn, "不存在的局", now=AS_OF)
    with pytest.raises(InvalidInput):
        keys.create(conn, PROVIDER, now=AS_OF, expires_days=0)
