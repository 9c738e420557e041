"""Tables of accounts: users, roles, sessions.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

from gongxin.db.models import BigId, Json, Timestamp, metadata  # noqa: F401
