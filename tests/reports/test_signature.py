"""The report's PAdES signature: valid under pyHanko's validator with the centre's certificate as
trust root, broken by any edit, made from PEM or PKCS#12 files, refused when missing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gongxin.errors import GongxinError
from gongxin.reports import signing
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import Store, make_uscc, registration_row, write_registrations
from tests.support.cli import Cli
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
CODE = make_uscc(1)


def status_of(pdf: bytes, trust_root: Path | None) -> object:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [load_cert_from_pemder(str(trust_root))] if trust_root else []
    (embedded,) = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    return validate_pdf_signature(embedded, context)


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    path = write_registrations(tmp_path / "reg.csv", [registration_row(1)])
    store.ingest(path, "registration", as_of=NOW)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def test_the_signed_report_verifies_and_a_tampered_copy_fails(
    client: TestClient, tmp_path: Path
) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    pdf = client.get(f"/api/v1/reports/{CODE}.pdf").content
    root = tmp_path / "var" / signing.SUBDIR / signing.DEMO_CERT  # made on first use
    status = status_of(pdf, root)
    assert status.bottom_line  # type: ignore[attr-defined]
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE  # type: ignore[attr-defined]
    assert "公共信用信息中心" in status.signing_cert.subject.human_friendly  # type: ignore[attr-defined]
    assert status.docmdp_ok  # type: ignore[attr-defined]
    # without the centre's certificate as a trust root: intact, but not trusted
    untrusted = status_of(pdf, None)
    assert untrusted.intact and not untrusted.trusted  # type: ignore[attr-defined]
    assert not untrusted.bottom_line  # type: ignore[attr-defined]
    # a byte of the signed content changed: the digest no longer matches
    middle = len(pdf) // 3
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    broken = status_of(tampered, root)
    assert not broken.intact and not broken.bottom_line  # type: ignore[attr-defined]
    # an edit appended after signing (a new revision) is not covered by the signature
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    edited = io.BytesIO()
    writer.write(edited)
    appended = status_of(edited.getvalue(), root)
    assert appended.coverage != SignatureCoverageLevel.ENTIRE_FILE  # type: ignore[attr-defined]
    assert appended.modification_level != ModificationLevel.NONE  # type: ignore[attr-defined]
    assert not appended.bottom_line  # type: ignore[attr-defined]


def _pkcs12(folder: Path, passphrase: bytes) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    key_path, cert_path = folder / "k.pem", folder / "c.pem"
    signing.make_self_signed(key_path, cert_path, "某某市公共信用信息中心", NOW)
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    cert = load_pem_x509_certificate(cert_path.read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"centre", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(passphrase),
    )  # fmt: skip
    path = folder / "centre.p12"
    path.write_bytes(bundle)
    return path


def test_a_pkcs12_key_with_a_passphrase_file_signs(tmp_path: Path) -> None:
    bundle = _pkcs12(tmp_path, b"s3cret passphrase")
    secret = tmp_path / "passphrase.txt"
    secret.write_text("s3cret passphrase\n")
    settings = Settings(
        var_dir=tmp_path / "var", report_sign_key_file=bundle, report_sign_passphrase_file=secret
    )
    import weasyprint

    pdf = weasyprint.HTML(string="<p>报告</p>").write_pdf()
    signed = signing.sign(pdf, signing.signer_for(settings), issuer="某某市公共信用信息中心")
    assert status_of(signed, tmp_path / "c.pem").bottom_line  # type: ignore[attr-defined]
    assert not (tmp_path / "var" / signing.SUBDIR).exists()  # no demo key when one is set
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it")
    with pytest.raises(GongxinError) as raised:
        signing.load_signer(settings.model_copy(update={"report_sign_passphrase_file": wrong}))
    assert raised.value.status == 503 and "centre.p12" in raised.value.zh


def test_production_without_a_certificate_refuses_to_issue(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    path = write_registrations(tmp_path / "reg.csv", [registration_row(1)])
    store.ingest(path, "registration", as_of=NOW)
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", env="production",
        session_cookie_secure=True, public_base_url="https://credit.example.gov.cn",
        match_key="a-production-match-key-0123456789",
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        response = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert response.status_code == 503
    assert "签章证书" in response.json()["zh"] and "docs/reports.md" in response.json()["en"]


def test_init_makes_the_demo_certificate_once(cli: Cli) -> None:
    first = cli.ok("init")
    cert = cli.folder / "var" / signing.SUBDIR / signing.DEMO_CERT
    assert cert.exists() and "自签名" in first.stdout
    before = cert.read_bytes()
    again = cli.ok("init")
    assert cert.read_bytes() == before and "已生成" not in again.stdout
    key = cli.folder / "var" / signing.SUBDIR / signing.DEMO_KEY
    assert key.stat().st_mode & 0o077 == 0  # the key is readable by its owner only
