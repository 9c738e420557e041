"""Builders of the list datasets (名单) and commitments; see :mod:`gongxin.demo.rows`."""

from __future__ import annotations

from datetime import date, timedelta

from gongxin.demo import agencies, texts
from gongxin.demo.fill import Ctx, Row
from gongxin.demo.names import person_name
from gongxin.demo.rows import Builder, expire_or_remove, fill_text, later, remove_some

# The identifying authority of each red list of texts.RED_LISTS, in order.
_RED_LIST_AUTHORITIES = (
    agencies.CUSTOMS,
    agencies.TAX,
    agencies.SAMR,
    agencies.HRSS,
    agencies.HEALTH,
)


def abnormal_list(ctx: Ctx) -> Row:
    s = ctx.subject
    assert s is not None
    ctx.event = ctx.recent(5, old_share=0.3)
    if s.category == "个体工商户":
        ctx.reason, ctx.basis, why = texts.ABNORMAL_INDIVIDUAL
    else:
        ctx.reason, ctx.basis, why = ctx.rng.choice(texts.ABNORMAL)
    ctx.doc = f"{ctx.authority.abbr}异列〔{ctx.event.year}〕{100 + ctx.seq}号"
    remove_some(ctx, 0.35, why)
    return {}


def serious_dishonest_list(ctx: Ctx) -> Row:
    ctx.event = ctx.recent(5, old_share=0.4)
    ctx.reason, ctx.basis = ctx.rng.choice(texts.SERIOUS)
    ctx.doc = f"{ctx.authority.abbr}严列〔{ctx.event.year}〕{100 + ctx.seq}号"
    ctx.end = later(ctx.event, 3)
    expire_or_remove(
        ctx,
        "列入严重违法失信名单期限届满",
        0.25,
        "经信用修复提前移出严重违法失信名单",
        min_days=366,
    )
    return {}


def dishonest_debtor(ctx: Ctx) -> Row:
    rng = ctx.rng
    ctx.event = ctx.recent(5, old_share=0.3)
    court = ctx.authority.abbr
    filed = ctx.event - timedelta(days=rng.randint(60, 300))
    judged = filed - timedelta(days=rng.randint(90, 400))
    ctx.doc = f"（{filed.year}）{court}执{rng.randint(100, 30000)}号"
    ctx.reason = rng.choice(texts.DEBTOR_CONDUCT)
    ctx.end = later(ctx.event, 2) if rng.random() < 0.4 else None
    early = rng.choice(("已履行全部义务", "与申请执行人达成和解协议并已履行"))
    expire_or_remove(ctx, "失信期限届满", 0.3, early)
    return {
        "MD_AH": ctx.doc,
        "MD_ZXYJWH": f"（{judged.year}）{court}民初{rng.randint(100, 60000)}号",
        "MD_ZCZXYJDW": ctx.authority.name,
        "MD_YW": fill_text(rng.choice(texts.DEBTOR_DUTY), ctx),
        "MD_LXQK": rng.choice(("全部未履行", "全部未履行", "部分未履行")),
        "MD_RDYJ": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "MD_LARQ": filed,
    }


def tax_violation(ctx: Ctx) -> Row:
    rng = ctx.rng
    nature, facts, law = rng.choice(texts.TAX_CASES)
    ctx.event = ctx.recent(5, old_share=0.3)
    year = ctx.event.year - rng.randint(1, 3)
    ctx.reason = (
        f"经{ctx.authority.name}检查，发现其在{year}年01月01日至{year}年12月31日期间，"
        + fill_text(facts, ctx)
        + "。"
    )
    ctx.basis = "《重大税收违法失信主体信息公布管理办法》第六条"
    ctx.end = later(ctx.event, 3)
    expire_or_remove(ctx, "公布期届满", 0.1, "经信用修复按规定提前停止公布", min_days=180)
    return {
        "MD_AJXZ": nature,
        "MD_CLCF": f"依照{law}等规定，对其处以追缴税款、加收滞纳金并处少缴税款一倍罚款的处理处罚。",
        "MD_WSH": f"京税稽一罚〔{ctx.event.year}〕{100 + ctx.seq}号",
        "MD_CWFZR": None if ctx.person or rng.random() < 0.5 else person_name(rng),
    }


def gov_procurement_violation(ctx: Ctx) -> Row:
    rng = ctx.rng
    ctx.reason, ctx.basis = rng.choice(texts.PROCUREMENT)
    decided = ctx.recent(4, old_share=0.2)
    ctx.event = min(ctx.as_of, decided + timedelta(days=rng.randint(0, 10)))
    years = rng.randint(1, 3)
    ctx.end = later(ctx.event, years)
    expire_or_remove(ctx, "禁止参加政府采购活动期限届满", 0.03, "处罚决定被依法撤销")
    return {
        "MD_CFNR": "处以采购金额千分之五的罚款，列入不良行为记录名单，"
        f"{years}年内禁止参加政府采购活动。",
        "MD_WSH": f"京财采处〔{decided.year}〕{100 + ctx.seq}号",
        "MD_CFRQ": decided,
        "MD_GBRQ": ctx.event,
    }


def tax_a(ctx: Ctx) -> Row:
    rng = ctx.rng
    years = [
        y for y in range(ctx.as_of.year - 3, ctx.as_of.year) if date(y + 1, 4, 30) <= ctx.as_of
    ]
    year = rng.choice(years or [ctx.as_of.year - 2])
    ctx.event = max(date(year + 1, 4, rng.randint(1, 30)), ctx.since)
    ctx.end = date(year + 1, 12, 31)
    expire_or_remove(ctx, "评价结果有效期届满", 0.05, "经复评，纳税信用级别调整为B级")
    return {
        "MD_PJND": str(year),
        "MD_XYJB": "A",
        "MD_LRYY": f"{year}年度纳税信用评价结果为A级",
        "MD_RDYJ": "《纳税信用管理办法（试行）》第二十条",
    }


def red_list(ctx: Ctx) -> Row:
    rng = ctx.rng
    index = len(texts.RED_LISTS) - 1 if ctx.person else rng.randrange(len(texts.RED_LISTS) - 1)
    kind, ctx.basis = texts.RED_LISTS[index]
    ctx.authority = _RED_LIST_AUTHORITIES[index]
    ctx.event = ctx.recent(4, old_share=0.2)
    ctx.reason = f"经认定为{kind}"
    ctx.doc = f"{ctx.authority.abbr}信〔{ctx.event.year}〕{100 + ctx.seq}号"
    ctx.end = later(ctx.event, 3)
    expire_or_remove(ctx, "有效期届满", 0.08, "有效期内发生严重失信行为，撤销认定")
    return {"MD_MDLX": kind}


# Builders that name authorities of their own rather than their plan's (see demo.load).
OWN_AUTHORITIES: dict[Builder, tuple[agencies.Agency, ...]] = {red_list: _RED_LIST_AUTHORITIES}


def commitment(ctx: Ctx) -> Row:
    rng = ctx.rng
    kind, matter, content, years = rng.choice(texts.COMMITMENTS)
    if kind in ("主动型", "修复型"):
        ctx.authority = agencies.CREDIT_CENTRE
    elif kind == "行业自律型":
        ctx.authority = agencies.samr(ctx.region)
    ctx.event = ctx.recent(3)
    ctx.end = later(ctx.event, years)
    roll = rng.random()
    # about one in twelve broken (every twelfth row at least, so even a small demo has some)
    broken = roll < 0.05 or ctx.seq % 12 == 5
    status = "未履约" if broken else "已履约" if ctx.end < ctx.as_of or roll < 0.3 else "履约中"
    return {
        "CN_CNLX": kind,
        "CN_SX": matter,
        "CN_NR": content,
        "CN_LYZT": status,
        "CN_WYQK": rng.choice(texts.BROKEN) if status == "未履约" else None,
    }


def generic(ctx: Ctx) -> Row:
    """A dataset this generator does not know: a plausible record from the field roles."""
    ctx.event = ctx.recent(3)
    ctx.doc = f"{ctx.authority.abbr}〔{ctx.event.year}〕{100 + ctx.seq}号"
    ctx.reason = ctx.content = "（演示数据）"
    ctx.basis = "（演示数据）相关法律法规"
    remove_some(ctx, 0.2, "（演示数据）已移出")
    return {}
