"""The back office (后台管理): pages under /admin for the credit centre and departments.

One router module per area; ``router`` gathers the accounts area's pages (login, home,
departments, users, keys). Other areas include their own routers in ``create_app``.
"""

from __future__ import annotations

from fastapi import APIRouter

from gongxin.web.admin import department_pages, key_pages, session_pages, user_pages

router = APIRouter()
router.include_router(session_pages.router)
router.include_router(department_pages.router)
router.include_router(user_pages.router)
router.include_router(key_pages.router)

__all__ = ["router"]
