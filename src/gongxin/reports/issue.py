"""Issuing a report: build the content, lay it out as PDF, sign it, record it with its 验证码.

The one service the API (and any other channel) calls to hand out a report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.documents import fonts
from gongxin.reports import content as report_content
from gongxin.reports import issued, pdf, signing
from gongxin.settings import Settings


@dataclass(frozen=True)
class IssuedFile:
    pdf: bytes
    content: report_content.ReportContent
    fingerprint: str  # the content's SHA-256, printed on the report
    issued: issued.Issued

    @property
    def code(self) -> str:
        """The 验证码 as printed."""
        return issued.shown_code(self.issued.verification_code or "")


def build(
    conn: sa.Connection, catalog: Catalog, settings: Settings, code: str, as_of: date
) -> report_content.ReportContent:
    """The content of the report, with the deployment's issuer, platform and layout."""
    return report_content.build(
        conn, catalog, code, as_of, issuer=settings.report_issuer,
        platform=settings.report_platform, sections_file=settings.report_sections_file,
        objection_mark=settings.objection_public_mark,
    )  # fmt: skip


def issue(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    code: str,
    now: datetime,
    *,
    qr_url: Callable[[report_content.ReportContent, str], str],
    verify_page: str,
) -> IssuedFile:
    """The signed PDF of the subject ``code``'s report as of ``now`` (China date), recorded.

    ``qr_url(content, fingerprint)`` is the link put in the QR code; ``verify_page`` the
    address printed for typing the 验证码. Without a configured key, outside production, the
    demo certificate is made on first use (``gongxin init`` makes it beforehand)."""
    with engine.connect() as conn:
        built = build(conn, catalog, settings, code, local_date(now))
    vcode = issued.code_for(engine, built, now)
    fingerprint = report_content.digest(built)
    if settings.env != "production":
        signing.ensure_demo(settings, settings.report_issuer, now)
    signer = signing.signer_for(settings)
    document = pdf.render(
        built, qr_url(built, fingerprint), issued.shown_code(vcode), verify_page,
        font=fonts.report_font(settings.var_dir),
    )  # fmt: skip
    signed = signing.sign(document, signer, issuer=settings.report_issuer)
    with engine.begin() as conn:
        record = issued.record(conn, built, signed, now, vcode)
    return IssuedFile(signed, built, fingerprint, record)
