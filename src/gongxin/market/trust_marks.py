"""Trust marks (网站可信标识): a signed badge a company shows on its website or shop, which opens
its live verification page on the platform.

A mark has a serial (``TM`` + issue date + 8 hex digits). Its claims — serial, the company's
USCC, the bound site's URL, issue and expiry time, algorithm and key id — are signed with the
platform's key (``trust_mark_keys``); the badge's links carry the signature as ``sig``. The URL
is only a lookup key: verification reads the stored mark, checks the link's signature against
the stored claims (a forged or altered link fails), then the live status (revoked by the
centre; suspended while the company is on a serious list or deregistered, by the rules in
``data/trust_marks.yaml``), then the expiry. Domain note: ``shared/domain/trust_marks.md``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import sqlalchemy as sa
import yaml

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.clock import as_utc, local_date
from gongxin.db.market_access_tables import trust_marks
from gongxin.db.models import subjects
from gongxin.errors import Conflict, InvalidInput, NotFound
from gongxin.market.trust_mark_keys import SigningKey, b64, unb64
from gongxin.records.masks import mask_subject_name
from gongxin.sanctions.check import find_entries
from gongxin.sanctions.lists import list_types
from gongxin.sanctions.match import Item
from gongxin.subjects import profile

State = Literal["valid", "expired", "suspended", "revoked", "forged", "unknown"]
STATE_NAMES: dict[str, tuple[str, str]] = {
    "valid": ("有效", "valid"),
    "expired": ("已过期", "expired"),
    "suspended": ("已暂停", "suspended"),
    "revoked": ("已撤销", "revoked"),
    "forged": ("签名无效", "signature invalid"),
    "unknown": ("无此标识", "no such mark"),
}
MAX_URL = 500
MAX_REASON = 200


@dataclass(frozen=True)
class Rules:
    suspend_on_lists: tuple[str, ...]
    suspend_on_reg_status: tuple[str, ...]


@cache
def _rules_from(path: Path | None) -> Rules:
    if path is None:
        text = resources.files("gongxin.market").joinpath("data/trust_marks.yaml").read_text()
    else:
        text = path.read_text("utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise InvalidInput(
            f"可信标识规则文件格式有误：{path}", f"malformed trust-mark rules: {path}"
        )
    lists = data.get("suspend_on_lists", [])
    status = data.get("suspend_on_reg_status", [])
    for key, value in (("suspend_on_lists", lists), ("suspend_on_reg_status", status)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(
                f"可信标识规则 {path or '（内置）'} 的 {key} 应为字符串列表",
                f"trust-mark rules {path or '(packaged)'}: {key} must be a list of strings",
                field=key,
            )
    return Rules(tuple(lists), tuple(status))


def rules(path: Path | None = None) -> Rules:
    """The trust-mark rules: the packaged file, or the deployment's ``path``."""
    return _rules_from(path)


@dataclass(frozen=True)
class Mark:
    serial: str
    subject_id: int
    uscc: str
    bound_url: str
    issued_at: datetime
    expires_at: datetime
    algorithm: str
    key_id: str
    signature: str
    revoked_at: datetime | None
    revoked_reason: str | None
    issued_by: str

    @property
    def query(self) -> str:
        """The query string every link of the badge carries."""
        return f"sig={self.signature}"

    @property
    def verify_path(self) -> str:
        return f"/marks/{self.serial}?{self.query}"

    @property
    def badge_path(self) -> str:
        return f"/marks/{self.serial}/badge.svg?{self.query}"

    @property
    def qr_path(self) -> str:
        return f"/marks/{self.serial}/qr.svg?{self.query}"


def _mark(row: Any) -> Mark:
    m = row._mapping
    return Mark(
        m["serial"], m["subject_id"], m["uscc"], m["bound_url"], as_utc(m["issued_at"]),
        as_utc(m["expires_at"]), m["algorithm"], m["key_id"], m["signature"],
        as_utc(m["revoked_at"]) if m["revoked_at"] else None, m["revoked_reason"], m["issued_by"],
    )  # fmt: skip


def claims(
    serial: str, uscc: str, bound_url: str, issued: datetime, expires: datetime, key: str, alg: str
) -> bytes:
    """The signed bytes: every claim of the mark, one per line, times in UTC to the second."""
    lines = ["gongxin-trust-mark/1", serial, uscc, bound_url,
             as_utc(issued).isoformat(timespec="seconds"),
             as_utc(expires).isoformat(timespec="seconds"), alg, key]  # fmt: skip
    return "\n".join(lines).encode()


def _claims_of(mark: Mark) -> bytes:
    return claims(
        mark.serial,
        mark.uscc,
        mark.bound_url,
        mark.issued_at,
        mark.expires_at,
        mark.key_id,
        mark.algorithm,
    )


def check_url(url: str) -> str:
    """The bound site's address: http(s) with a host, at most MAX_URL characters."""
    text = url.strip()
    parts = urlsplit(text)
    if len(text) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"网站地址（bound_url）应为 http:// 或 https:// 开头、不超过 {MAX_URL} 字的网址："
            f"{text[:60]}",
            f"bound_url must be an http(s) address of at most {MAX_URL} characters: {text[:60]}",
            field="bound_url", value=text[:60],
        )  # fmt: skip
    return text


def issue(
    conn: sa.Connection,
    catalog: Catalog,
    code: str,
    bound_url: str,
    *,
    key: SigningKey,
    rule: Rules,
    now: datetime,
    valid_days: int,
    actor: str,
) -> Mark:
    """A new mark for the subject with ``code`` and its site ``bound_url``, valid
    ``valid_days``; refused (409) while the subject is suspended by the rules."""
    row = profile.find(conn, code)
    if not row["uscc"]:
        raise InvalidInput(
            "可信标识只颁发给有统一社会信用代码的主体", "trust marks need a USCC", field="code"
        )
    if not 1 <= valid_days <= 3650:
        raise InvalidInput(
            f"有效天数应在 1 至 3650 之间：{valid_days}",
            f"valid days must be between 1 and 3650: {valid_days}",
            field="valid_days",
        )
    url = check_url(bound_url)
    reasons = suspensions(conn, catalog, row["id"], row["uscc"], row["reg_status"], rule, now)
    if reasons:
        raise Conflict(
            f"该主体目前不能获得可信标识：{'；'.join(z for z, _ in reasons)}",
            f"the subject cannot get a trust mark now: {'; '.join(e for _, e in reasons)}",
        )
    issued = as_utc(now).replace(microsecond=0)
    expires = issued + timedelta(days=valid_days)
    serial = f"TM{local_date(now):%Y%m%d}{secrets.token_hex(4).upper()}"
    message = claims(serial, row["uscc"], url, issued, expires, key.key_id, key.algorithm)
    signature = b64(key.sign(message))
    conn.execute(
        trust_marks.insert().values(
            serial=serial, subject_id=row["id"], uscc=row["uscc"], bound_url=url,
            issued_at=issued, expires_at=expires, algorithm=key.algorithm, key_id=key.key_id,
            signature=signature, issued_by=actor,
        )
    )  # fmt: skip
    audit.record(
        conn, actor=actor, action="trust_mark.issue", target=f"trust_mark:{serial}", now=now,
        detail={"uscc": row["uscc"], "bound_url": url, "expires_at": expires.isoformat()},
    )  # fmt: skip
    return get(conn, serial)


def get(conn: sa.Connection, serial: str) -> Mark:
    row = conn.execute(sa.select(trust_marks).where(trust_marks.c.serial == serial[:40])).first()
    if row is None:
        raise NotFound(f"没有编号为 {serial[:40]} 的可信标识", f"no trust mark {serial[:40]!r}")
    return _mark(row)


def all_marks(conn: sa.Connection, *, code: str | None = None, limit: int = 500) -> list[Mark]:
    """Marks, newest first (of one subject when ``code`` is given)."""
    query = sa.select(trust_marks).order_by(trust_marks.c.id.desc()).limit(limit)
    if code:
        query = query.where(trust_marks.c.subject_id == profile.find(conn, code)["id"])
    return [_mark(r) for r in conn.execute(query)]


def revoke(conn: sa.Connection, serial: str, *, reason: str, now: datetime, actor: str) -> Mark:
    """Revoke a mark (the centre's decision; verification then says so with the reason)."""
    mark = get(conn, serial)
    why = reason.strip()
    if not why or len(why) > MAX_REASON:
        raise InvalidInput(
            f"请填写撤销理由（reason，不超过 {MAX_REASON} 字）",
            f"give a reason (at most {MAX_REASON} characters)", field="reason",
        )  # fmt: skip
    if mark.revoked_at is not None:
        raise Conflict(f"可信标识 {serial} 已于此前撤销", f"trust mark {serial} is already revoked")
    conn.execute(
        trust_marks.update()
        .where(trust_marks.c.serial == mark.serial)
        .values(revoked_at=now, revoked_reason=why)
    )
    audit.record(
        conn, actor=actor, action="trust_mark.revoke", target=f"trust_mark:{serial}", now=now,
        detail={"reason": why},
    )  # fmt: skip
    return get(conn, serial)


def resign(conn: sa.Connection, *, key: SigningKey, now: datetime, actor: str) -> int:
    """Sign every unrevoked mark again with ``key`` (after a key rotation or an algorithm
    change); the badges' links change, so the companies must paste the new snippet."""
    done = 0
    for mark in all_marks(conn, limit=1_000_000):
        if mark.revoked_at is not None or mark.key_id == key.key_id:
            continue
        message = claims(mark.serial, mark.uscc, mark.bound_url, mark.issued_at,
                         mark.expires_at, key.key_id, key.algorithm)  # fmt: skip
        conn.execute(
            trust_marks.update()
            .where(trust_marks.c.serial == mark.serial)
            .values(algorithm=key.algorithm, key_id=key.key_id, signature=b64(key.sign(message)))
        )
        done += 1
    audit.record(conn, actor=actor, action="trust_mark.resign", target="trust_mark:*", now=now,
                 detail={"marks": done, "key_id": key.key_id})  # fmt: skip
    return done


def suspensions(
    conn: sa.Connection,
    catalog: Catalog,
    subject_id: int,
    uscc: str,
    reg_status: str | None,
    rule: Rules,
    now: datetime,
) -> list[tuple[str, str]]:
    """Why the subject's marks are suspended on ``now``'s date: (zh, en) per reason."""
    out: list[tuple[str, str]] = []
    if reg_status and reg_status in rule.suspend_on_reg_status:
        out.append((f"登记状态为“{reg_status}”", f"registration status is {reg_status}"))
    types = list_types(catalog)
    wanted = {c for c in rule.suspend_on_lists if c in types}
    if wanted:
        item = Item(0, uscc, "uscc", uscc, subject_id)
        find_entries(conn, catalog, [item], local_date(now))
        names = sorted({(e.list_name, types[e.list_type].name_en)
                        for e in item.hits if e.list_type in wanted})  # fmt: skip
        out += [(f"列入{zh}", f"on the list {en}") for zh, en in names]
    return out


@dataclass(frozen=True)
class Verdict:
    serial: str
    state: State
    message_zh: str
    message_en: str
    checked_at: datetime
    name: str | None = None
    uscc: str | None = None
    bound_url: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    algorithm: str | None = None
    key_id: str | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.state == "valid"

    @property
    def label(self) -> str:
        return STATE_NAMES[self.state][0]

    @property
    def profile_path(self) -> str | None:
        return f"/subjects/{self.uscc}" if self.uscc else None


def verify(
    conn: sa.Connection,
    catalog: Catalog,
    serial: str,
    sig: str,
    *,
    key: SigningKey,
    rule: Rules,
    now: datetime,
) -> Verdict:
    """The live verdict on the mark ``serial`` shown with signature ``sig``: its signature,
    then its status, then its expiry (the first that fails decides)."""
    text = serial.strip()[:40]
    row = conn.execute(sa.select(trust_marks).where(trust_marks.c.serial == text)).first()
    if row is None:
        return Verdict(
            text, "unknown", f"平台上没有编号为 {text} 的可信标识：此标识不是本平台颁发的",
            f"no trust mark {text} was issued by this platform", now,
        )  # fmt: skip
    mark = _mark(row)
    subject = conn.execute(
        sa.select(subjects.c.name, subjects.c.entity_type, subjects.c.legal_rep,
                  subjects.c.reg_status).where(subjects.c.id == mark.subject_id)
    ).one()  # fmt: skip
    name = mask_subject_name(subject.name, subject.entity_type, [subject.legal_rep])
    base = Verdict(
        mark.serial, "valid", "", "", now, name, mark.uscc, mark.bound_url, mark.issued_at,
        mark.expires_at, mark.algorithm, mark.key_id,
    )  # fmt: skip
    signature = unb64(sig.strip())
    if (
        signature is None
        or mark.key_id != key.key_id
        or not key.verify(signature, _claims_of(mark))
    ):
        return replace(
            base, state="forged",
            message_zh="签名验证失败：此标识的链接不是本平台签发的，或已被改动。请勿信任此标识。",
            message_en="the signature does not verify: this link was not issued by the platform "
            "or has been altered. Do not trust this mark.",
        )  # fmt: skip
    if mark.revoked_at is not None:
        return replace(
            base, state="revoked", reasons=[mark.revoked_reason or ""],
            message_zh=f"此标识已被信用中心撤销：{mark.revoked_reason}",
            message_en=f"this mark was revoked by the credit centre: {mark.revoked_reason}",
        )  # fmt: skip
    found = suspensions(conn, catalog, mark.subject_id, mark.uscc, subject.reg_status, rule, now)
    if found:
        return replace(
            base, state="suspended", reasons=[z for z, _ in found],
            message_zh=f"此标识已暂停：该企业{'；'.join(z for z, _ in found)}。",
            message_en=f"this mark is suspended: the company's {'; '.join(e for _, e in found)}.",
        )  # fmt: skip
    if as_utc(now) >= mark.expires_at:
        return replace(
            base, state="expired",
            message_zh=f"此标识已于 {local_date(mark.expires_at)} 过期。",
            message_en=f"this mark expired on {local_date(mark.expires_at)}.",
        )  # fmt: skip
    return replace(
        base, state="valid",
        message_zh="签名有效，标识有效：以下为该企业在本平台的实时信息。请核对下方的网站地址与您正在访问的网站一致。",
        message_en="signature and mark valid; check that the site address below is the site "
        "you came from.",
    )  # fmt: skip
