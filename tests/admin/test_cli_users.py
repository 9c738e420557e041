"""``gongxin user``, ``gongxin dept add --parent/--region`` and ``gongxin key --scope/list``."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import Result

from gongxin import cli as gongxin_cli
from gongxin.db.accounts_tables import users
from gongxin.db.models import api_keys
from gongxin.identity.roles import Scope
from tests.intake.helpers import PROVIDER
from tests.support.cli import Cli

PASSWORD = "First-centre-2026"


def _with_input(cli: Cli, text: str, *args: str) -> Result:
    return cli.runner.invoke(gongxin_cli.app, list(args), input=text)


def test_the_first_centre_admin_is_made_from_the_command_line(ready: Cli) -> None:
    ready.ok("dept", "add", "市信用中心", "--kind", "centre", "--region", "110000")
    added = _with_input(
        ready,
        PASSWORD + "\n",
        "user", "add", "admin", "--dept", "市信用中心", "--role", "centre_admin",
        "--display-name", "王主任", "--password-stdin",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "已添加用户" in added.stdout and "信用中心管理员" in added.stdout
    stored = ready.scalar(sa.select(users.c.password_hash))
    assert isinstance(stored, str) and stored.startswith("$argon2id$") and PASSWORD not in stored
    listed = ready.ok("user", "list").stdout
    assert "admin" in listed and "王主任" in listed and "正常" in listed


def test_the_password_prompt_asks_twice(ready: Cli) -> None:
    typo = _with_input(
        ready, f"{PASSWORD}\nSomething-else-1\n", "user", "add", "clerk", "--dept", PROVIDER,
        "--role", "dept_clerk",
    )  # fmt: skip
    assert typo.exit_code == 2 and "两次输入的密码不一致" in typo.stderr
    weak = _with_input(
        ready, "short\n", "user", "add", "clerk", "--dept", PROVIDER, "--role", "dept_clerk",
        "--password-stdin",
    )  # fmt: skip
    assert weak.exit_code == 2 and "至少 10 个字符" in weak.stderr
    same = _with_input(
        ready, f"{PASSWORD}\n{PASSWORD}\n", "user", "add", "clerk", "--dept", PROVIDER,
        "--role", "dept_clerk",
    )  # fmt: skip
    assert same.exit_code == 0, same.output


def test_roles_passwords_and_disabling(ready: Cli) -> None:
    _with_input(
        ready, PASSWORD + "\n", "user", "add", "clerk", "--dept", PROVIDER, "--role",
        "dept_clerk", "--password-stdin",
    )  # fmt: skip
    roles = ready.ok("user", "roles", "clerk", "--add", "dept_admin", "--remove", "dept_clerk")
    assert "部门管理员" in roles.stdout and "经办人" not in roles.stdout
    bad = ready("user", "roles", "clerk", "--add", "superuser")
    assert bad.exit_code == 2 and "角色“superuser”无效" in bad.stderr
    changed = _with_input(
        ready, "Second-pass-2026\n", "user", "passwd", "clerk", "--password-stdin"
    )
    assert changed.exit_code == 0, changed.output
    assert "停用" in ready.ok("user", "disable", "clerk").stdout
    assert "停用 disabled" in ready.ok("user", "list").stdout
    ready.ok("user", "disable", "clerk", "--enable")
    assert ready("user", "passwd", "nobody", "--password-stdin").exit_code == 2


def test_departments_get_parents_and_keys_get_scopes(ready: Cli) -> None:
    ready.ok("dept", "add", "市场监管局东城分局", "--parent", PROVIDER, "--region", "110101")
    listed = ready.ok("dept", "list").stdout
    assert "110101" in listed and listed.count(PROVIDER) == 2
    made = ready.ok("key", "create", "--dept", PROVIDER, "--scope", "submit", "--scope", "check")
    assert "check, submit" in made.stderr
    ready.ok("key", "create", "--dept", PROVIDER, *(f"--scope={s}" for s in Scope))
    assert ready.scalar(sa.select(sa.func.count()).select_from(api_keys)) == 2
    keys_listed = ready.ok("key", "list").stdout
    assert "信用核查 check、数据归集 submit" in keys_listed
    assert "信用承诺 commitment" in keys_listed
    bad = ready("key", "create", "--dept", PROVIDER, "--scope", "everything")
    assert bad.exit_code == 2 and "权限范围“everything”无效" in bad.stderr


def test_a_key_without_scope_is_refused_listing_the_scopes(ready: Cli) -> None:
    refused = ready("key", "create", "--dept", PROVIDER)
    assert refused.exit_code == 2
    assert "--scope" in refused.stderr
    for scope in Scope:
        assert scope.value in refused.stderr
    assert refused.stdout == ""  # no key printed
    assert ready.scalar(sa.select(sa.func.count()).select_from(api_keys)) == 0
