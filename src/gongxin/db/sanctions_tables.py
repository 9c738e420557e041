"""Tables of joint reward and punishment: loaded memoranda, credit checks and their results.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

from gongxin.db.models import BigId, Json, Timestamp, metadata  # noqa: F401
