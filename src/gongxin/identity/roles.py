"""Roles of back-office users and scopes of systems' API keys: the names every guard uses.

Users log in to the back office with a password and hold one or more roles. Systems call the
API with a department key that carries scopes. Which role or scope each page and endpoint needs
is declared where the page or endpoint is defined.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CENTRE_ADMIN = "centre_admin"  # 信用中心管理员: runs the platform
    DEPT_ADMIN = "dept_admin"  # 部门管理员: manages its department's users, keys, approvals
    DEPT_CLERK = "dept_clerk"  # 部门经办人: submits data, requests data, reports feedback
    AUDITOR = "auditor"  # 审计员: reads the audit log and statistics, changes nothing
    EVALUATOR = "evaluator"  # 评价机构经办人: runs its organisation's industry evaluation rounds


ROLE_NAMES: dict[Role, str] = {
    Role.CENTRE_ADMIN: "信用中心管理员",
    Role.DEPT_ADMIN: "部门管理员",
    Role.DEPT_CLERK: "部门经办人",
    Role.AUDITOR: "审计员",
    Role.EVALUATOR: "评价机构经办人",
}


class Scope(StrEnum):
    SUBMIT = "submit"  # 归集: submit records
    CHECK = "check"  # 信用核查: run credit checks and report their feedback
    EXCHANGE = "exchange"  # 共享交换: read shared datasets and their change feeds
    COMMITMENT = "commitment"  # 信用承诺: record commitments, fulfilment and breach
    AGENCY = "agency"  # 征信查询: a registered credit agency queries subjects (market.agencies)


SCOPE_NAMES: dict[Scope, str] = {
    Scope.SUBMIT: "数据归集",
    Scope.CHECK: "信用核查",
    Scope.EXCHANGE: "共享交换",
    Scope.COMMITMENT: "信用承诺",
    Scope.AGENCY: "征信查询",
}

ALL_SCOPES: frozenset[Scope] = frozenset(Scope)
