"""Typed dependencies shared by the routers: the engine, the catalog, the clock, the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gongxin.catalog.registry import Catalog
from gongxin.errors import Unauthorized
from gongxin.exchange import keys
from gongxin.exchange.departments import Department
from gongxin.settings import Settings

# The dependencies below do no I/O, so they are coroutines: FastAPI runs a plain ``def``
# dependency in its thread pool, a hop that costs more than the lookup itself on every call.
# ``engine_of`` and friends are the same lookups for code that holds a request.


def engine_of(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.engine
    return engine


def catalog_of(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> sa.Engine:
    return engine_of(request)


async def get_catalog(request: Request) -> Catalog:
    return catalog_of(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_now() -> datetime:
    """The moment a request acts at: the only wall-clock read of the web layer."""
    return datetime.now(UTC)


_bearer = HTTPBearer(auto_error=False)


def get_department(
    engine: Annotated[sa.Engine, Depends(get_engine)],
    now: Annotated[datetime, Depends(get_now)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Department:
    """The department whose API key signed the request (``Authorization: Bearer <key>``)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "缺少 API 密钥：请使用 Authorization: Bearer <密钥>",
            "missing API key: send Authorization: Bearer <key>",
        )
    with engine.connect() as conn:
        return keys.authenticate(conn, credentials.credentials, now=now)


EngineDep = Annotated[sa.Engine, Depends(get_engine)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
DepartmentDep = Annotated[Department, Depends(get_department)]
