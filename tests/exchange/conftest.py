"""Fixtures of the exchange tests: a cheap argon2 (see tests/support/passwords.py)."""

from __future__ import annotations

from tests.support.passwords import fast_argon2

__all__ = ["fast_argon2"]
