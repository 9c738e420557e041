"""Builders of one record per dataset: what only the dataset knows (its case, its dates, its
document number). :func:`gongxin.demo.fill.complete` does the rest. This module has the
registration, licence and penalty builders and their helpers; the lists are in
:mod:`gongxin.demo.lists`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Protocol, TypeVar

from gongxin.demo import texts
from gongxin.demo.codes import display_org_code
from gongxin.demo.fill import LONG_TERM, Ctx, Row
from gongxin.demo.subjects import Subject

Builder = Callable[[Ctx], Row]


class _ForTrades(Protocol):
    @property
    def trades(self) -> tuple[str, ...]: ...


_T = TypeVar("_T", bound=_ForTrades)


def later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def wan(yuan: int) -> str:
    """Yuan as 万元 text with up to 6 decimals: 12345 → 1.2345."""
    return f"{yuan / 10000:.6f}".rstrip("0").rstrip(".")


def fill_text(template: str, ctx: Ctx, **extra: object) -> str:
    rng = ctx.rng
    return template.format(
        goods=rng.choice(texts.GOODS),
        item=rng.choice(texts.ITEMS),
        product_item=rng.choice(texts.PRODUCT_ITEMS),
        product=rng.choice(texts.PRODUCTS),
        claim=rng.choice(texts.CLAIMS),
        equipment=rng.choice(texts.EQUIPMENT),
        pollutant=rng.choice(texts.POLLUTANTS),
        place=rng.choice(texts.PLACES),
        ratio=f"{rng.randint(2, 30) / 10:g}",
        value=rng.randint(800, 90000),
        gain=rng.randint(200, 20000),
        amount=f"{rng.randint(20, 5000) * 1000:,}",
        count=rng.randint(5, 120),
        address=ctx.subject.address if ctx.subject else "",
        area=rng.randint(6, 60),
        **extra,
    )


def suited(ctx: Ctx, options: Sequence[_T]) -> _T:
    """One of ``options`` (cases, licence kinds) that suits the counterpart's business."""
    name = ctx.name if ctx.person is None else ""
    fitting = [o for o in options if not o.trades or any(w in name for w in o.trades)]
    return ctx.rng.choice(fitting or list(options))


def remove_some(ctx: Ctx, share: float, reason: str, *, min_days: int = 30) -> None:
    """Mark a share of listings as removed, some time after listing and not after today
    (every one when ``ctx.must_remove``)."""
    first = ctx.event + timedelta(days=min_days)
    if first < ctx.as_of and (ctx.must_remove or ctx.rng.random() < share):
        last = min(ctx.as_of, ctx.end or ctx.as_of)
        ctx.removal = first + timedelta(days=ctx.rng.randint(0, max(0, (last - first).days)))
        ctx.removal_reason = reason


def expire_or_remove(
    ctx: Ctx, expired: str, share: float, early: str, *, min_days: int = 30
) -> None:
    """A listing whose term has ended is removed on its end date; of the others, a share
    ``share`` is removed early (repair, revocation, performance)."""
    if ctx.end is not None and ctx.end <= ctx.as_of:
        ctx.removal, ctx.removal_reason = ctx.end, expired
    else:
        remove_some(ctx, share, early, min_days=min_days)


def _counterpart_codes(ctx: Ctx, prefix: str) -> Row:
    """The optional legacy codes of the 双公示 layouts, filled as real departments do: sometimes."""
    s, rng = ctx.subject, ctx.rng
    row: Row = {}
    if ctx.person is not None or s is None:
        return row
    if s.reg_no and rng.random() < 0.5:
        row[f"{prefix}_XDR_GSZC"] = s.reg_no
    if s.org_code and rng.random() < 0.15:
        row[f"{prefix}_XDR_ZZJG"] = display_org_code(s.org_code)
    if s.uscc and rng.random() < 0.1:
        row[f"{prefix}_XDR_SWDJ"] = s.uscc  # since 三证合一 the tax number is the USCC
    if s.kind == "institution":
        row[f"{prefix}_XDR_SYDW"] = f"{s.region.code}{rng.randint(0, 999999):06d}"
    if s.kind == "social":
        row[f"{prefix}_XDR_SHZZ"] = f"{s.region.abbr}民证字第{rng.randint(1, 99999):05d}号"
    return row


def registration(ctx: Ctx) -> Row:
    s = ctx.subject
    assert s is not None
    return {
        "DJ_QYMC": s.name,
        "DJ_TYSHXYDM": s.code,
        "DJ_ZCRQ": s.reg_date,
        "DJ_QYLX": s.entity_type if ctx.rng.random() < 0.8 else None,
        "DJ_FDDBR": s.legal_rep.name if ctx.rng.random() < 0.9 else None,
        "DJ_ZCZB": s.capital,
        "DJ_JYFW": s.scope,
        "DJ_SZSF": s.region.province_short,
        "DJ_DQ": s.region.area,
        "DJ_ZCDZ": s.address,
        **_details(s),
    }


def _details(s: Subject) -> Row:
    d = s.details
    if d is None:
        return {}
    return {
        "DJ_DJZT": d.status,
        "DJ_ZXRQ": d.exit_date,
        "DJ_DJJG": d.authority,
        "DJ_YYQXZ": d.term_end,
        "DJ_HYDM": d.industry,
        "DJ_XZQHDM": s.region.code,
        "DJ_FDDBRZJHM": s.legal_rep.id_number,
        "DJ_GDXX": d.investors,
        "DJ_LXDH": d.phone,
        "DJ_DZYX": d.email,
        "DJ_BGJL": d.changes or None,
    }


def _penalty(ctx: Ctx, cases: tuple[texts.Case, ...], kind: str) -> Row:
    rng = ctx.rng
    case = suited(ctx, [c for c in cases if c.persons] if ctx.person else cases)
    ctx.event = ctx.recent(4, old_share=0.2)
    ctx.doc = f"{ctx.authority.abbr}{kind}〔{ctx.event.year}〕{100 + ctx.seq}号"
    parts, fine, gain = [], None, None
    for cat in case.categories:
        if cat == "罚款":
            yuan = max(100, round(rng.uniform(*case.fine) * 100) * 100)
            fine = wan(yuan)
            parts.append(f"罚款人民币{yuan}元")
        elif cat == "没收违法所得":
            gain = rng.randint(200, 20000)
            parts.append(f"没收违法所得{gain}元")
        else:
            parts.append(cat)
    licence = None
    if "吊销许可证件" in case.categories:
        licence = f"食品经营许可证（JY1{ctx.region.code}{rng.randint(0, 9999999):07d}）"
    years = 3 if fine else 1
    return {
        **_counterpart_codes(ctx, "CF"),
        "CF_WSH": ctx.doc,
        "CF_WFXW": case.kind,
        "CF_SY": fill_text(case.facts, ctx),
        "CF_YJ": case.basis,
        "CF_CFLB": "；".join(case.categories),
        "CF_NR": "；".join(f"{i}.{p}" for i, p in enumerate(parts, 1)) + "。",
        "CF_NR_FK": fine,
        "CF_NR_WFFF": wan(gain) if gain else None,
        "CF_NR_ZKDX": licence,
        "CF_JDRQ": ctx.event,
        "CF_YXQ": later(ctx.event, years),
        "CF_GSJZQ": None,
    }


def market_penalty(ctx: Ctx) -> Row:
    return _penalty(ctx, texts.MARKET_CASES, "处罚")


def environment_penalty(ctx: Ctx) -> Row:
    return _penalty(ctx, texts.ENVIRONMENT_CASES, "罚字")


def _licence(ctx: Ctx, kinds: tuple[texts.LicenceKind, ...]) -> Row:
    rng = ctx.rng
    kind = suited(ctx, kinds)
    ctx.event = ctx.recent(6, old_share=0.3)
    number = kind.number.format(
        region=ctx.region.code, seq=rng.randint(0, 10**5 - 1) * 10 + ctx.seq % 10,
        letter=rng.choice("ABCDE"), year=ctx.event.year,
    )  # fmt: skip
    doc = f"{ctx.authority.abbr}{kind.doc}〔{ctx.event.year}〕{100 + ctx.seq}号"
    end = later(ctx.event, kind.years) if kind.years else LONG_TERM
    valid = end >= ctx.as_of and rng.random() < 0.95
    status = "有效" if valid else "无效"
    if rng.random() < 0.1:  # some systems still export the codes 1/2
        status = "1" if valid else "2"
    return {
        **_counterpart_codes(ctx, "XK"),
        "XK_XKWS": kind.title,
        "XK_WSH": doc if number == "" or rng.random() < 0.8 else number,
        "XK_XKLB": kind.category,
        "XK_XKZS": kind.certificate or None,
        "XK_XKBH": number or None,
        "XK_NR": fill_text(kind.content, ctx),
        "XK_JDRQ": ctx.event,
        "XK_YXQZ": ctx.event,
        "XK_YXQZI": end,
        "XK_ZT": status,
    }


def market_licence(ctx: Ctx) -> Row:
    return _licence(ctx, texts.MARKET_LICENCES)


def hrss_licence(ctx: Ctx) -> Row:
    return _licence(ctx, texts.HRSS_LICENCES)
