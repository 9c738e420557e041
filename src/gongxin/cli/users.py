"""``gongxin user``: back-office accounts (the first centre admin starts here)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.errors import InvalidInput
from gongxin.identity import accounts, departments
from gongxin.identity.roles import ROLE_NAMES, Role

app = typer.Typer(help="后台用户 (back-office users)", no_args_is_help=True)

ROLE_HELP = "角色，可重复 (role, repeatable): " + ", ".join(r.value for r in Role)


def _password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("新密码 (new password)", hide_input=True)
        again = typer.prompt("再输入一次 (repeat)", hide_input=True)
        if password != again:
            raise InvalidInput("两次输入的密码不一致", "the two passwords differ")
    accounts.check_password(password)
    return password


StdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="从标准输入读取密码 (read the password from standard input)"
    ),
]


@app.command("add")
@common.reports_errors
def user_add(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    dept: Annotated[str, typer.Option("--dept", help="所属部门名称 (department)")],
    role: Annotated[list[str], typer.Option("--role", help=ROLE_HELP)],
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="姓名 (display name)")
    ] = None,
    password_stdin: StdinOption = False,
) -> None:
    """添加后台用户 (add a back-office user)."""
    password = _password(password_stdin)
    with common.engine().begin() as conn:
        user = accounts.add_user(
            conn,
            username,
            department=dept,
            roles=role,
            password=password,
            display_name=display_name,
            now=common.now(),
        )
    roles = "、".join(ROLE_NAMES[r] for r in sorted(user.roles))
    common.out.print(
        f"已添加用户 (added) {user.username}（{user.department.name}；{roles}）", markup=False
    )


@app.command("list")
@common.reports_errors
def user_list(
    dept: Annotated[str | None, typer.Option("--dept", help="只列此部门 (one department)")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出后台用户 (list back-office users)."""
    now = common.now()
    table = Table("用户名 user", "姓名 name", "部门 dept", "角色 roles", "状态 state", "最近登录")
    with common.engine().connect() as conn:
        department_id = departments.get(conn, dept).id if dept else None
        for u in accounts.all_users(conn, department_id):
            locked = u.locked_until is not None and u.locked_until > now
            state = "停用 disabled" if not u.active else "锁定 locked" if locked else "正常 active"
            table.add_row(
                u.username,
                u.display_name,
                u.department.name,
                "、".join(f"{ROLE_NAMES[r]} {r}" for r in sorted(u.roles)),
                state,
                common.china_time(u.last_login_at),
            )
    common.show(table, as_json, out_file)


@app.command("passwd")
@common.reports_errors
def user_passwd(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    password_stdin: StdinOption = False,
) -> None:
    """设置新密码并解除锁定 (set a new password; unlocks the account, ends its sessions)."""
    password = _password(password_stdin)
    with common.engine().begin() as conn:
        accounts.set_password(conn, username, password, now=common.now())
    common.out.print(f"已设置密码 (password set) {username}", markup=False)


@app.command("disable")
@common.reports_errors
def user_disable(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    enable: Annotated[bool, typer.Option("--enable", help="重新启用 (enable again)")] = False,
) -> None:
    """停用账户，结束其会话 (disable an account and end its sessions; --enable to undo)."""
    with common.engine().begin() as conn:
        accounts.set_active(conn, username, enable, now=common.now())
    done = "已启用 (enabled)" if enable else "已停用 (disabled)"
    common.out.print(f"{done} {username}", markup=False)


@app.command("roles")
@common.reports_errors
def user_roles(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    add: Annotated[
        list[str] | None, typer.Option("--add", help="授予 (grant) " + ROLE_HELP)
    ] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="撤销 (revoke)")] = None,
) -> None:
    """授予或撤销角色 (grant or revoke roles)."""
    with common.engine().begin() as conn:
        user = accounts.set_roles(
            conn, username, add=add or [], remove=remove or [], now=common.now()
        )
    roles = "、".join(f"{ROLE_NAMES[r]} {r}" for r in sorted(user.roles))
    common.out.print(f"{user.username} 的角色 (roles): {roles}", markup=False)
