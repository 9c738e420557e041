"""Keyed hashes of personal identifiers: comparable for matching, useless to a reader.

A legal representative's identity number is validated and normalised, then kept only as
``hmac:`` plus HMAC-SHA256 under the deployment's ``GONGXIN_MATCH_KEY``. Two filings of the
same number give the same hash; without the key the number cannot be recovered or guessed by
hashing candidate numbers.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "hmac:"


def keyed_hash(value: str, key: str) -> str:
    """The matching form of ``value`` (already normalised) under ``key``."""
    digest = hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def is_keyed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)
