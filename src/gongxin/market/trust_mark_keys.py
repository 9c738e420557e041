"""The key that signs trust marks (可信标识): Ed25519 by default, SM2 (GB/T 32918 with SM3,
through the pure-Python ``gmssl`` package) where ``GONGXIN_TRUST_MARK_ALGORITHM=sm2``.

The key is derived from a secret handled like the installation's other secrets
(``identity.instance_secrets``): ``GONGXIN_TRUST_MARK_SECRET`` when set, else a random one made
at first use and kept in the database, so every server process signs with the same key.
Rotate by deleting the ``trust_mark_<algorithm>`` row of ``instance_secrets`` (or changing the
setting) and re-signing the badges (``gongxin mark resign``). A key is named by its key id: the
first 16 hex digits of the SHA-256 of its public key.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gongxin.identity import instance_secrets

Algorithm = Literal["ed25519", "sm2"]
ALGORITHMS: tuple[Algorithm, ...] = ("ed25519", "sm2")
# SM2's curve order n (GB/T 32918.5), for deriving a private key in [1, n-1]
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes | None:
    """The bytes of a base64url text, or None when it is not one."""
    if not text or len(text) > 400 or not all(c.isalnum() or c in "-_" for c in text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


@dataclass(frozen=True)
class SigningKey:
    algorithm: Algorithm
    seed: bytes  # 32 bytes the private key is derived from

    @property
    def public_key(self) -> str:
        """The public key as text: PEM (SubjectPublicKeyInfo) for Ed25519, the uncompressed
        point ``04‖x‖y`` in hex for SM2."""
        if self.algorithm == "ed25519":
            pem = (
                self._ed25519()
                .public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
            return pem.decode()
        return "04" + self._sm2_public()

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.public_key.encode()).hexdigest()[:16]

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "ed25519":
            return self._ed25519().sign(message)
        from gmssl import func  # type: ignore[import-untyped]

        crypt = self._sm2(self._sm2_private())
        signed: str = crypt.sign_with_sm3(message, func.random_hex(crypt.para_len))
        return bytes.fromhex(signed)

    def verify(self, signature: bytes, message: bytes) -> bool:
        if self.algorithm == "ed25519":
            try:
                self._ed25519().public_key().verify(signature, message)
            except InvalidSignature:
                return False
            return True
        if len(signature) != 64:
            return False
        crypt = self._sm2(None)
        try:
            return bool(crypt.verify_with_sm3(signature.hex(), message))
        except (ValueError, ZeroDivisionError, TypeError):  # a forged signature: not valid
            return False

    def _ed25519(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def _sm2(self, private: str | None) -> Any:
        """gmssl's signer with this key's public point (x‖y in hex), set after construction:
        gmssl's constructor takes a key starting with "04" for a prefixed point and strips it
        with ``lstrip("04")``, so an x coordinate that itself begins with 04 (1 key in 256)
        lost its first digits, and every verification of its marks failed."""
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key=private, public_key="")
        crypt.public_key = self._sm2_public()
        return crypt

    def _sm2_private(self) -> str:
        d = int.from_bytes(hashlib.sha256(b"sm2:" + self.seed).digest()) % (_SM2_N - 1) + 1
        return f"{d:064x}"

    def _sm2_public(self) -> str:
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key=self._sm2_private(), public_key="")
        point: str = crypt._kg(int(self._sm2_private(), 16), sm2.default_ecc_table["g"])
        return point


def signing_key(
    conn: sa.Connection, algorithm: Algorithm, configured: str | None, *, now: datetime
) -> SigningKey:
    """The installation's trust-mark key for ``algorithm``."""
    secret = instance_secrets.resolve(conn, f"trust_mark_{algorithm}", configured, now=now)
    return SigningKey(algorithm, hashlib.sha256(b"gongxin-trust-mark:" + secret).digest())
