"""The back office (后台管理): pages under /admin for the credit centre and departments.

One router module per area; ``router`` gathers the accounts area's pages (login, home,
departments, users, keys) and the department clerk's daily pages (uploads and submissions,
待关联 records, the credit-check form). Other areas include their own routers in
``create_app``.
"""

from __future__ import annotations

from fastapi import APIRouter

from gongxin.web.admin import (
    credit_check_pages,
    department_pages,
    key_pages,
    session_pages,
    submission_pages,
    unlinked_pages,
    user_pages,
)

router = APIRouter()
router.include_router(session_pages.router)
router.include_router(department_pages.router)
router.include_router(user_pages.router)
router.include_router(key_pages.router)
router.include_router(submission_pages.router)
router.include_router(unlinked_pages.router)
router.include_router(credit_check_pages.router)

__all__ = ["router"]
