"""SM2 trust-mark keys sign and verify whatever their public point looks like."""

from __future__ import annotations

import hashlib

from gongxin.market.trust_mark_keys import SigningKey

# a key whose public x coordinate begins with the digits 04: the SM2 library used to take
# that for the uncompressed-point prefix and strip it (with what followed: 0406 -> 6)
SEED = hashlib.sha256(b"sm2-04-1521").digest()


def test_a_key_whose_point_begins_with_04_signs_and_verifies() -> None:
    key = SigningKey("sm2", SEED)
    assert key.public_key.startswith("0404")  # the 04 prefix, then x beginning with 04
    message = "公信 trust mark".encode()
    signature = key.sign(message)
    assert key.verify(signature, message)
    assert not key.verify(signature, message + b"!")
