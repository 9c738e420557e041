"""FastAPI's TestClient, imported once for every test module.

Starlette 1.x warns at import that it would rather use httpx2 than the httpx the dev
dependencies install; warnings are errors in this suite, so that one warning is ignored here.
"""

from __future__ import annotations

import warnings

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["TestClient"]
