"""The whole schema: the core tables of ``models`` and every area's own table module.

Alembic's environment and the schema tests read ``metadata`` from here, so that a table is
modelled exactly once, next to the area that owns it.
"""

from __future__ import annotations

from gongxin.db import (  # noqa: F401  (imported for their tables)
    accounts_tables,
    approval_tables,
    audit_tables,
    complaint_tables,
    evaluation_tables,
    exchange_tables,
    market_access_tables,
    monitoring_tables,
    opendata_tables,
    platform_tables,
    rating_tables,
    report_tables,
    sanctions_tables,
    security_tables,
    simulation_tables,
    supervision_tables,
    workflow_tables,
)
from gongxin.db.models import metadata

__all__ = ["metadata"]
