"""The one key mechanism behind departments' API keys (``gx_…``) and open-data keys (``od_…``).

A key is ``<kind>_<8 hex prefix>_<256-bit random secret>``. It is shown once; the store keeps
the prefix, to find the row, and the SHA-256 of the whole key, to prove it (a 256-bit random key
needs no slow hash; passwords get argon2). What a key grants is the business of its kind's
module: ``identity.keys`` for departments, ``opendata.keys`` for open data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from gongxin.clock import as_utc


@dataclass(frozen=True, slots=True)
class Minted:
    key: str  # the plaintext, to be shown once
    prefix: str
    digest: str  # what the store keeps


def digest(key: str) -> str:
    """The stored proof of ``key``."""
    return hashlib.sha256(key.encode()).hexdigest()


def mint(kind: str) -> Minted:
    """A new random key of ``kind`` (``gx`` or ``od``)."""
    prefix = secrets.token_hex(4)
    key = f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"
    return Minted(key, prefix, digest(key))


def parse(key: str, kind: str) -> str | None:
    """The prefix of a presented key of ``kind``, or None when it is not shaped like one.

    >>> parse("gx_8a555315_secret", "gx")
    '8a555315'
    >>> parse("od_8a555315_secret", "gx") is None
    True
    """
    parts = key.split("_", 2)
    if len(parts) < 3 or parts[0] != kind or not parts[1]:
        return None
    return parts[1]


def prefix_of(key_or_prefix: str, kind: str) -> str:
    """The prefix, given the key itself, ``<kind>_<prefix>`` or the bare prefix.

    >>> prefix_of("gx_8a555315", "gx"), prefix_of(" 8a555315 ", "gx")
    ('8a555315', '8a555315')
    """
    parts = key_or_prefix.strip().split("_")
    return parts[1] if len(parts) >= 2 and parts[0] == kind else key_or_prefix.strip()


def proves(key: str, stored_digest: str) -> bool:
    """Whether ``key`` is the key whose digest was stored (constant-time comparison)."""
    return hmac.compare_digest(stored_digest, digest(key))


def state(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    """``revoked``, ``expired`` or ``active``: one rule for every kind of key."""
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and as_utc(expires_at) <= now:
        return "expired"
    return "active"
