"""The back-office pages: departments, users and keys, each confined to what the role may do."""

from __future__ import annotations

import re

import sqlalchemy as sa

from gongxin.db.audit_tables import audit_log
from gongxin.identity import accounts, keys
from tests.admin.conftest import PASSWORD, Office
from tests.intake.helpers import PROVIDER


def _audit(office: Office) -> list[tuple[str, str, str]]:
    with office.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.target))
        return [(r.actor, r.action, r.target) for r in rows]


def test_a_department_admin_sees_and_manages_only_its_department(office: Office) -> None:
    office.login("boss")
    page = office.client.get("/admin/users").text
    assert "<td>clerk</td>" in page
    assert "<td>taxman</td>" not in page and "<td>root</td>" not in page
    assert 'value="centre_admin"' not in page  # cannot grant it, so not offered
    added = office.post(
        "/admin/users",
        {
            "username": "helper",
            "password": PASSWORD,
            "roles": ["dept_clerk"],
            "display_name": "小李",
        },
    )
    assert added.status_code == 303
    with office.engine.connect() as conn:
        assert accounts.get(conn, "helper").department.name == PROVIDER
    elsewhere = office.post(
        "/admin/users",
        {
            "username": "spy",
            "password": PASSWORD,
            "roles": ["dept_clerk"],
            "department": "市税务局",
        },
    )
    assert elsewhere.status_code == 403 and "本部门" in elsewhere.text
    reset = office.post("/admin/users/taxman/password", {"password": "Hijack-pass-2026"})
    assert reset.status_code == 403
    promote = office.post("/admin/users/clerk/roles", {"roles": ["dept_clerk", "centre_admin"]})
    assert promote.status_code == 403
    disable = office.post("/admin/users/clerk/active", {"active": "false"})
    assert disable.status_code == 303
    assert office.login("clerk").status_code == 400  # disabled accounts cannot log in
    assert ("user:boss", "user.disable", "user:clerk") in _audit(office)
    assert office.client.get("/admin/departments").status_code == 200


def test_roles_are_set_from_the_checkboxes(office: Office) -> None:
    office.login("root")
    done = office.post("/admin/users/clerk/roles", {"roles": ["dept_admin", "auditor"]})
    assert done.status_code == 303
    with office.engine.connect() as conn:
        assert sorted(accounts.get(conn, "clerk").roles) == ["auditor", "dept_admin"]
    weak = office.post("/admin/users/clerk/password", {"password": "short"})
    assert weak.status_code == 400 and "至少 10 个字符" in weak.text


def test_only_the_centre_registers_departments(office: Office) -> None:
    office.login("boss")
    page = office.client.get("/admin/departments").text
    assert PROVIDER in page and "市税务局" not in page and "登记部门" not in page
    refused = office.post("/admin/departments", {"name": "市某局"})
    assert refused.status_code == 403
    office.login("root")
    done = office.post(
        "/admin/departments",
        {"name": "市某区分局", "kind": "user", "parent": "市税务局", "region": "110108"},
    )
    assert done.status_code == 303
    page = office.client.get(done.headers["location"]).text
    assert "已登记部门" in page and "市某区分局" in page and "110108" in page
    twice = office.post("/admin/departments", {"name": "市某区分局"})
    assert twice.status_code == 409 and "已存在" in twice.text
    assert ("user:root", "department.add", "department:市某区分局") in _audit(office)


def test_a_key_is_shown_once_scoped_and_revocable(office: Office) -> None:
    office.login("boss")
    made = office.post("/admin/keys", {"scopes": ["submit"], "expires_days": "30"})
    assert made.status_code == 201
    key = re.search(r"gx_[0-9a-f]{8}_[\w-]+", made.text)
    assert key, made.text
    assert key.group(0) not in office.client.get("/admin/keys").text  # never shown again
    with office.engine.connect() as conn:
        found = keys.check(conn, key.group(0), now=office.clock.now)
    assert found.department.name == PROVIDER and sorted(found.scopes) == ["submit"]
    api = office.client.get(
        "/api/v1/submissions/none", headers={"Authorization": f"Bearer {key.group(0)}"}
    )
    assert api.status_code == 404  # the key passes the submit guard
    none = office.post("/admin/keys", {"expires_days": "30"})  # no scope ticked
    assert none.status_code == 400 and none.headers["content-type"].startswith("text/html")
    assert "请至少勾选一个权限范围" in none.text
    with office.engine.connect() as conn:
        assert len(keys.all_keys(conn, None)) == 1  # nothing made of it
    prefix = found.prefix
    revoked = office.post(f"/admin/keys/{prefix}/revoke", {})
    assert revoked.status_code == 303
    api = office.client.get(
        "/api/v1/submissions/none", headers={"Authorization": f"Bearer {key.group(0)}"}
    )
    assert api.status_code == 401
    assert ("user:boss", "key.revoke", f"key:{prefix}") in _audit(office)


def test_a_department_admin_cannot_touch_other_departments_keys(office: Office) -> None:
    with office.engine.begin() as conn:
        theirs = keys.create(conn, "市税务局", now=office.clock.now)
    office.login("boss")
    assert theirs.prefix not in office.client.get("/admin/keys").text
    assert office.post(f"/admin/keys/{theirs.prefix}/revoke", {}).status_code == 403
    other = office.post("/admin/keys", {"scopes": ["check"], "department": "市税务局"})
    assert other.status_code == 403
    office.login("root")
    listing = office.client.get("/admin/keys").text
    assert theirs.prefix in listing and "市税务局" in listing


def test_a_bad_department_name_is_refused_on_the_page(office: Office) -> None:
    office.login("root")
    cases = (("市\x00局", "控制字符"), (" 市某局", "首尾不能有空格"), ("市<b>局", "不能含字符"))
    for name, rule in cases:
        refused = office.post("/admin/departments", {"name": name, "kind": "user"})
        assert refused.status_code == 400 and rule in refused.text, name
    assert "市某局" not in office.client.get("/admin/departments").text


def test_a_form_sent_without_a_field_gets_the_back_office_error_page(office: Office) -> None:
    office.login("root")
    token = office.page_csrf("/admin/departments")
    sent = {"csrf_token": token, "kind": "provider"}  # the department's name left out
    page = office.client.post(
        "/admin/departments", data=sent, headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "请求格式有误" in page.text and "body.name" in page.text and "缺少必填项" in page.text
    assert 'action="/admin/logout"' in page.text  # the back office's own page, logged in
    program = office.client.post("/admin/departments", data=sent, follow_redirects=False)
    assert program.status_code == 422 and program.json()["error"] == "invalid_request"
