"""Trust marks (网站可信标识), public: the verdict on a badge and the platform's public key.

The portal's pages (``web.portal.trust_mark_pages``) call the same services; every request of
both is counted against ``GONGXIN_TRUST_MARK_RATE_LIMIT`` per client address and minute.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from gongxin.catalog.registry import Catalog
from gongxin.errors import RateLimited
from gongxin.market import trust_marks
from gongxin.market.trust_mark_keys import SigningKey, signing_key
from gongxin.ratelimit import WINDOW_SECONDS
from gongxin.settings import Settings
from gongxin.web import ratelimit
from gongxin.web.clients import client_address
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/api/v1/marks", tags=["可信标识 trust marks"])
SerialPath = Annotated[str, Path(max_length=40, description="标识编号 (serial)")]
SigQuery = Annotated[str, Query(max_length=400, description="链接上的签名 (signature)")]


def limit(request: Request, settings: Settings) -> None:
    """Count one badge, QR or verification request of the client; 429 once over the limit."""
    most = int(settings.trust_mark_rate_limit)
    who = f"trust_mark:{client_address(request)}"
    wait = ratelimit.window(request, "trust_mark_window").hit(who, most, time.monotonic())
    if wait:
        raise RateLimited(
            f"可信标识核验过于频繁：每 {int(WINDOW_SECONDS)} 秒最多 {most} 次，请 {wait} 秒后再试",
            f"too many trust-mark requests: at most {most} per {int(WINDOW_SECONDS)} seconds; "
            f"retry in {wait} s",
            wait,
        )


def key_of(conn: sa.Connection, settings: Settings, now: datetime) -> SigningKey:
    return signing_key(conn, settings.trust_mark_algorithm, settings.trust_mark_secret, now=now)


def verdict_of(
    engine: sa.Engine, catalog: Catalog, settings: Settings, now: datetime, serial: str, sig: str
) -> trust_marks.Verdict:
    with engine.begin() as conn:  # the key's secret is made (and kept) at first use
        return trust_marks.verify(
            conn, catalog, serial, sig, key=key_of(conn, settings, now),
            rule=trust_marks.rules(settings.trust_mark_rules), now=now,
        )  # fmt: skip


class TrustMarkVerdict(BaseModel):
    serial: str = Field(description="标识编号")
    state: str = Field(description="valid | expired | suspended | revoked | forged | unknown")
    valid: bool = Field(description="签名有效、未撤销、未暂停、未过期 (all checks pass)")
    label: str = Field(description="状态（中文）")
    message_zh: str
    message_en: str
    name: str | None = Field(description="企业名称 (as the public sees it)")
    uscc: str | None
    bound_url: str | None = Field(description="标识绑定的网站地址：请与所在网站核对")
    issued_at: datetime | None
    expires_at: datetime | None
    algorithm: str | None = Field(description="ed25519 | sm2")
    key_id: str | None
    reasons: list[str] = Field(description="撤销或暂停的理由")
    profile_path: str | None = Field(description="该企业在平台上的信用信息页")
    checked_at: datetime


class TrustMarkKey(BaseModel):
    algorithm: str
    key_id: str
    public_key: str = Field(description="PEM (Ed25519) or 04‖x‖y hex (SM2)")


@router.get("/key", summary="可信标识签名公钥 (the public key that signs trust marks)")
def public_key(
    request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> TrustMarkKey:
    limit(request, settings)
    with engine.begin() as conn:
        key = key_of(conn, settings, now)
    return TrustMarkKey(algorithm=key.algorithm, key_id=key.key_id, public_key=key.public_key)


@router.get("/{serial}", summary="核验可信标识 (verify a trust mark, live)")
def verify_mark(
    serial: SerialPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    sig: SigQuery = "",
) -> TrustMarkVerdict:
    """The signature of the link, then the mark's live status, then its expiry."""
    limit(request, settings)
    v = verdict_of(engine, catalog, settings, now, serial, sig)
    return TrustMarkVerdict(
        serial=v.serial, state=v.state, valid=v.valid, label=v.label, message_zh=v.message_zh,
        message_en=v.message_en, name=v.name, uscc=v.uscc, bound_url=v.bound_url,
        issued_at=v.issued_at, expires_at=v.expires_at, algorithm=v.algorithm,
        key_id=v.key_id, reasons=v.reasons, profile_path=v.profile_path, checked_at=v.checked_at,
    )  # fmt: skip
