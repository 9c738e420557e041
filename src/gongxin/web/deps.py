"""Typed dependencies shared by the routers: the engine, the catalog, the clock, the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import Depends, Request

from gongxin.catalog.registry import Catalog
from gongxin.settings import Settings
from gongxin.slots import Slots

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


def slots_of(request: Request, kind: Literal["intake", "check_files", "pdf"]) -> Slots:
    """The process's slots for one kind of heavy work (``gongxin.slots``), made with the app."""
    slots: dict[str, Slots] = request.app.state.slots
    return slots[kind]


async def get_engine(request: Request) -> sa.Engine:
    return engine_of(request)


async def get_catalog(request: Request) -> Catalog:
    return catalog_of(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_now() -> datetime:
    """The moment a request acts at: the only wall-clock read of the web layer."""
    return datetime.now(UTC)


EngineDep = Annotated[sa.Engine, Depends(get_engine)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
