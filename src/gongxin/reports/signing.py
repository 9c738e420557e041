"""The report's digital signature: PAdES (PDF Advanced Electronic Signature, baseline B-B) with
the credit centre's certificate, made by pyHanko.

The key and certificate come from files named by settings (``GONGXIN_REPORT_SIGN_KEY_FILE``:
a PKCS#12 bundle ``.p12``/``.pfx``, or a PEM private key beside the PEM certificate
``GONGXIN_REPORT_SIGN_CERT_FILE``; intermediate certificates in ``GONGXIN_REPORT_SIGN_CHAIN_FILE``;
the passphrase, if any, in ``GONGXIN_REPORT_SIGN_PASSPHRASE_FILE``). Unset, they default to a
self-signed demo certificate under ``var_dir/report-signing/``, which ``gongxin init`` makes
(see docs/reports.md for installing a real one). The signature certifies the document (DocMDP:
no changes allowed), so a PDF reader flags any edit made after issue.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gongxin.errors import GongxinError
from gongxin.settings import Settings

SUBDIR = "report-signing"
DEMO_KEY = "centre-key.pem"
DEMO_CERT = "centre-cert.pem"
FIELD = "公共信用信息报告签章"
DEMO_YEARS = 5


class SigningUnavailable(GongxinError):
    status = 503
    code = "signing_unavailable"


@dataclass(frozen=True)
class Paths:
    key: Path
    cert: Path | None
    chain: Path | None
    passphrase: Path | None

    @property
    def pkcs12(self) -> bool:
        return self.key.suffix.lower() in (".p12", ".pfx")


def paths(settings: Settings) -> Paths:
    """The key, certificate, chain and passphrase files the settings name (or the demo's)."""
    folder = settings.var_dir / SUBDIR
    key = settings.report_sign_key_file or folder / DEMO_KEY
    cert = settings.report_sign_cert_file
    if cert is None and settings.report_sign_key_file is None:
        cert = folder / DEMO_CERT
    return Paths(key, cert, settings.report_sign_chain_file, settings.report_sign_passphrase_file)


def configured(settings: Settings) -> bool:
    """Whether the deployment names its own key (else the demo certificate is used)."""
    return settings.report_sign_key_file is not None


def _fit(text: str, limit: int = 64) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (the X.520 bound of a name attribute)."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text


def make_self_signed(key_path: Path, cert_path: Path, common_name: str, now: datetime) -> None:
    """A new RSA key and a self-signed certificate for ``common_name``, valid for 5 years: for
    the demo and for tests. The key file is written readable by its owner only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(common_name)),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "演示签章 非正式证书"),
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
        ]
    )
    start = now.astimezone(UTC) - timedelta(days=1)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * DEMO_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_whole(key_path, pem, 0o600)  # never seen half-written by a reader
    _write_whole(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _write_whole(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` through a temporary file renamed over it (atomic on one file system)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def ensure_demo(settings: Settings, issuer: str, now: datetime) -> Path | None:
    """Make the demo certificate when no key is configured and none exists yet; the path of the
    new certificate, or None when nothing was made."""
    if configured(settings):
        return None
    found = paths(settings)
    with _demo_lock:  # two first downloads at once make one key and certificate, not two
        if found.key.exists() and found.cert is not None and found.cert.exists():
            return None
        assert found.cert is not None
        make_self_signed(found.key, found.cert, issuer, now)
    return found.cert


_demo_lock = threading.Lock()


def _passphrase(found: Paths) -> bytes | None:
    if found.passphrase is None:
        return None
    return found.passphrase.read_bytes().rstrip(b"\r\n")


def _unavailable(path: Path, why: str) -> SigningUnavailable:
    return SigningUnavailable(
        f"信用报告签章证书不可用（{path}）：{why}。请按 docs/reports.md 安装证书",
        f"the report signing certificate is unavailable ({path}): {why}; install one as "
        "docs/reports.md describes",
    )


def load_signer(settings: Settings) -> Any:
    """The pyHanko signer of the configured key and certificate."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign import signers

    found = paths(settings)
    try:
        secret = _passphrase(found)
        chain = []
        if found.chain is not None:
            chain = list(load_certs_from_pemder([str(found.chain)]))  # type: ignore[no-untyped-call]
        if found.pkcs12:
            signer = signers.SimpleSigner.load_pkcs12_data(
                found.key.read_bytes(), other_certs=chain, passphrase=secret
            )
        else:
            if found.cert is None:
                raise ValueError("GONGXIN_REPORT_SIGN_CERT_FILE is not set")
            signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
                str(found.key), str(found.cert), key_passphrase=secret, other_certs=chain
            )
    except FileNotFoundError as exc:
        raise _unavailable(found.key, f"缺少文件 missing file {exc.filename}") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise _unavailable(found.key, f"无法读取 cannot load: {exc}") from exc
    if signer is None:
        raise _unavailable(found.key, "无法读取 cannot load")
    return _with_loaded_key(signer)


def _with_loaded_key(loaded: Any) -> Any:
    """The signer, with its private key parsed once rather than for every signature (pyHanko's
    ``SimpleSigner`` parses and checks it on each call: most of the signing time)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)

    class KeptKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            hashing = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and hasattr(key, "sign"):
                return key.sign(data, PKCS1v15(), hashing)  # type: ignore[call-arg,arg-type]
            if mechanism == "ecdsa" and hasattr(key, "sign"):
                return key.sign(data, ECDSA(hashing))  # type: ignore[call-arg,arg-type]
            return super().sign_raw(data, digest_algorithm)

    return KeptKeySigner(
        signing_key=loaded.signing_key, signing_cert=loaded.signing_cert,
        cert_registry=loaded.cert_registry, signature_mechanism=loaded.signature_mechanism,
    )  # fmt: skip


_cache_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Any] = {}


def signer_for(settings: Settings) -> Any:
    """The signer, loaded once per set of files (and again when a file changes)."""
    found = paths(settings)
    stamp = tuple(
        (str(p), p.stat().st_mtime_ns) if p is not None and p.exists() else (str(p), None)
        for p in (found.key, found.cert, found.chain, found.passphrase)
    )
    with _cache_lock:
        signer = _cache.get(stamp)
    if signer is None:
        signer = load_signer(settings)
        with _cache_lock:
            if len(_cache) > 8:
                _cache.clear()
            _cache[stamp] = signer
    return signer


def sign(pdf: bytes, signer: Any, *, issuer: str, location: str | None = None) -> bytes:
    """``pdf`` with a PAdES signature of ``signer`` that certifies it (no changes allowed)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"{issuer}出具的公共信用信息报告",
        location=location,
        name=issuer,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # room for the CMS blob given up front: pyHanko otherwise signs twice (once to measure)
    certs = [signer.signing_cert, *signer.cert_registry]
    reserved = 8192 + sum(len(c.dump()) for c in certs)
    reserved += reserved % 2  # hex digits of whole bytes: pyHanko wants an even count
    out = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=reserved)
    signed: bytes = out.getvalue()
    return signed


def describe(settings: Settings) -> dict[str, str]:
    """Subject, issuer, validity and SHA-256 fingerprint of the signing certificate."""
    import hashlib

    cert = signer_for(settings).signing_cert
    return {
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "not_before": cert.not_valid_before.isoformat(),
        "not_after": cert.not_valid_after.isoformat(),
        "sha256": hashlib.sha256(cert.dump()).hexdigest(),
        "self_signed": "yes" if cert.self_signed else "no",
    }
