"""A cheaper argon2 for tests: the same algorithm (argon2id) with small cost parameters.

Production hashes take ~0.1–0.4 s each by design; a suite that creates and logs in many users
would spend minutes on them. Hashes made here still verify with the default hasher, since the
parameters travel inside each hash.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from gongxin.identity import accounts


@pytest.fixture(scope="session", autouse=True)
def fast_argon2() -> Iterator[None]:
    saved = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        accounts._hasher = saved
