"""Logging in to the back office: password, lockout, session cookie, expiry, logout, CSRF."""

from __future__ import annotations

import time
from datetime import timedelta

from gongxin.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.admin.conftest import PASSWORD, Office


def test_login_opens_the_back_office_with_a_safe_cookie(office: Office) -> None:
    anonymous = office.client.get("/admin", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/admin/login?next=/admin"
    form = office.client.get("/admin/login")
    assert 'rel="icon" href="/static/favicon.svg"' in form.text  # the site's icon, served
    done = office.login("boss", next_="/admin/users")
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # GONGXIN_SESSION_COOKIE_SECURE is off in development
    home = office.client.get("/admin")
    assert home.status_code == 200
    assert "市市场监督管理局" in home.text and "部门管理员" in home.text
    me = office.client.get("/admin/api/me").json()
    assert me["username"] == "boss" and me["roles"] == ["dept_admin"]


def test_a_wrong_password_is_refused_and_locks_after_three(office: Office) -> None:
    for _ in range(3):
        wrong = office.login("boss", "Not-the-password-1")
        assert wrong.status_code == 400
        assert "用户名或密码错误" in wrong.text
        assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    locked = office.login("boss")
    assert locked.status_code == 400  # the right password, but locked
    office.clock.now += timedelta(minutes=office.settings.login_lockout_minutes)
    assert office.login("boss").status_code == 303


def test_next_never_leads_off_the_site(office: Office) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        done = office.login("boss", next_=target)
        assert done.headers["location"] == "/admin", target


def test_the_login_form_needs_its_own_csrf_token(office: Office) -> None:
    office.client.cookies.clear()
    office.client.get("/admin/login")
    forged = office.client.post(
        "/admin/login",
        data={"username": "boss", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    office.client.cookies.delete(LOGIN_CSRF_COOKIE, path="/admin/login")
    cross_site = office.client.post(
        "/admin/login",
        data={"username": "boss", "password": PASSWORD, "csrf_token": "x"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403


def test_sessions_expire_when_idle_and_at_their_absolute_end(office: Office) -> None:
    office.login("clerk")
    idle = timedelta(minutes=office.settings.session_idle_minutes)
    office.clock.now += idle - timedelta(minutes=1)
    assert office.client.get("/admin").status_code == 200
    office.clock.now += idle - timedelta(minutes=1)  # still active: the last request counted
    assert office.client.get("/admin").status_code == 200
    office.clock.now += idle
    assert office.client.get("/admin", follow_redirects=False).status_code == 303
    office.login("clerk")
    end = office.clock.now + timedelta(hours=office.settings.session_absolute_hours)
    while office.clock.now + idle / 2 < end:
        office.clock.now += idle / 2
        assert office.client.get("/admin").status_code == 200
    office.clock.now = end
    assert office.client.get("/admin/api/me").status_code == 401


def test_logout_ends_the_session_on_the_server(office: Office) -> None:
    office.login("clerk")
    token = office.client.cookies.get(SESSION_COOKIE)
    assert token
    done = office.post("/admin/logout", {})
    assert done.status_code == 303 and done.headers["location"] == "/admin/login"
    office.client.cookies.set(SESSION_COOKIE, token)  # a stolen copy of the cookie is dead too
    assert office.client.get("/admin/api/me").status_code == 401


def test_posts_without_the_right_csrf_token_are_refused(office: Office) -> None:
    office.login("root")
    new_user = {
        "username": "newbie",
        "password": PASSWORD,
        "roles": ["dept_clerk"],
        "department": "市税务局",
    }
    missing = office.client.post("/admin/users", data=new_user, follow_redirects=False)
    assert missing.status_code == 403 and "CSRF" in missing.text
    wrong = office.post("/admin/users", new_user, csrf="wrong-token")
    assert wrong.status_code == 403
    logout = office.client.post("/admin/logout", follow_redirects=False)
    assert logout.status_code == 403
    assert "newbie" not in office.client.get("/admin/users").text
    header = office.client.post(
        "/admin/users",
        data=new_user,
        headers={"X-CSRF-Token": office.page_csrf()},
        follow_redirects=False,
    )
    assert header.status_code == 303
    assert "newbie" in office.client.get("/admin/users").text


def test_the_wrong_role_gets_a_403_page_and_json_gets_json(office: Office) -> None:
    office.login("clerk")
    page = office.client.get("/admin/users")
    assert page.status_code == 403 and "无权访问" in page.text
    assert "部门管理员" in page.text
    api = office.client.get("/admin/users", headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.json()["error"] == "forbidden"
    office.client.cookies.clear()
    anonymous = office.client.get("/admin/api/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Cookie")


def test_pages_do_not_wait_for_a_busy_sqlite_writer(office: Office) -> None:
    office.login("clerk")
    office.clock.now += timedelta(minutes=5)  # the session's last-seen time is due a write
    writer = office.engine.raw_connection()  # a long submission holds the one write lock
    try:
        writer.cursor().execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        assert office.client.get("/admin").status_code == 200
        assert time.monotonic() - started < 5  # not the engine's 60-second lock wait
    finally:
        writer.rollback()
        writer.close()
    office.clock.now += timedelta(minutes=1)
    assert office.client.get("/admin").status_code == 200  # noted now, the session lives on
