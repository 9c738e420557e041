"""Credit complaints from filing to the company's reply and the rating, on SQLite and
PostgreSQL: states, working-day deadlines across the National Day holiday and its 调休
Saturday, the signed reply link, the credit record beside the reply, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest

from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.market import complaint_replies, complaint_triage
from gongxin.records.gate import Audience
from gongxin.records.lookup import record
from gongxin.workflows.attachments import Upload
from tests.market.helpers import (
    JPG,
    PDF,
    RULES,
    accept,
    count,
    file,
    lookup,
    mails,
    noon,
    overdue,
    reply,
    token_of,
)
from tests.workflows.helpers import COMPANY, World

MONDAY = date(2026, 9, 28)  # the National Day holiday runs 1–7 Oct; Sat 10 Oct is worked
ACCEPTED_ON = date(2026, 9, 30)
REPLY_DUE = date(2026, 10, 20)  # 8, 9, 10 (Sat), 12–16, 19, 20 Oct: ten working days


def test_filing_gives_a_query_code_and_a_triage_deadline_in_working_days(world: World) -> None:
    filed = file(world, MONDAY, [Upload("凭证.pdf", PDF), Upload("截图.jpg", JPG)])
    assert filed.triage_due == date(2026, 10, 13)  # 29, 30 Sep, 8, 9, 10 (调休), 12, 13 Oct
    assert filed.number.startswith("TS20260928") and len(filed.code) >= 32
    seen = lookup(world, filed.code)
    assert seen["state_zh"] == "待受理" and seen["company_name"] == "北京承诺测试商贸有限公司"
    assert seen["category_zh"] == "退款纠纷" and not seen["may_rate"]
    assert count(world, "complaint_evidence") == 2
    assert [m.to_addr for m in mails(world)] == ["zhangsan@example.org"]
    with pytest.raises(NotFound):
        lookup(world, filed.code[:-1] + ("A" if filed.code[-1] != "A" else "B"))


def test_a_company_not_registered_is_refused_with_the_search_link(world: World) -> None:
    with pytest.raises(NotFound) as refused:
        file(world, MONDAY, company="北京不存在的公司")
    assert refused.value.details["search"] == "/search?q=" + quote("北京不存在的公司")
    assert "统一社会信用代码" in refused.value.zh
    by_name = file(world, MONDAY, company="北京承诺测试商贸有限公司")  # the exact name works
    assert by_name.company_name == "北京承诺测试商贸有限公司"
    assert count(world, "complaints") == 1


BAD_FIELDS = [
    ({"complainant": "  "}, "complainant"),
    ({"phone": "call me"}, "phone"),
    ({"email": "no-at-sign"}, "email"),
    ({"category": "murder"}, "category"),
    ({"facts": "太差"}, "facts"),
    ({"claim": "x" * 2001}, "claim"),
]


def test_bad_fields_are_named_and_nothing_is_stored(world: World) -> None:
    for over, field in BAD_FIELDS:
        with pytest.raises(InvalidInput) as refused:
            file(world, MONDAY, **over)
        assert refused.value.details["field"] == field, over
    assert count(world, "complaints") == 0 and mails(world) == []


def test_evidence_is_judged_by_content_size_and_count(world: World) -> None:
    with pytest.raises(InvalidInput, match="不是 PDF、JPG 或 PNG"):
        file(world, MONDAY, [Upload("invoice.pdf", b"MZ\x90\x00 not a pdf")])
    with pytest.raises(InvalidInput, match="过大"):
        file(world, MONDAY, [Upload("big.pdf", PDF + b"0" * 10_001)])
    with pytest.raises(InvalidInput, match="附件过多"):
        file(world, MONDAY, [Upload(f"{n}.pdf", PDF) for n in range(3)])
    assert count(world, "complaints") == 0 and count(world, "complaint_evidence") == 0


def test_accepted_complaint_is_forwarded_and_replied_through_the_signed_link(
    world: World,
) -> None:
    filed = file(world, MONDAY)
    done = accept(world, filed.id, ACCEPTED_ON)
    assert done["reply_due"] == REPLY_DUE
    company_mail = [m for m in mails(world) if m.to_addr == "kefu@company.example"]
    assert len(company_mail) == 1 and done["link"] in company_mail[0].body
    assert "张三" not in company_mail[0].body and "13800001111" not in company_mail[0].body
    with world.engine.connect() as conn:
        shown = record(conn, world.catalog, done["record_id"], audience=Audience.PUBLIC,
                       as_of=ACCEPTED_ON)  # fmt: skip
    assert shown["data"]["TS_CLZT"] == "待企业答复" and shown["subject_code"] == COMPANY
    assert "张三" not in str(shown["data"])
    answered = reply(world, token_of(done["link"]), REPLY_DUE)
    assert answered["state_zh"] == "企业已答复" and answered["in_time"] is True
    assert answered["may_rate"]
    with world.engine.connect() as conn:
        shown = record(conn, world.catalog, done["record_id"], audience=Audience.PUBLIC,
                       as_of=REPLY_DUE)  # fmt: skip
    assert shown["data"]["TS_QYDF"] == "已于当日全额退款，致歉。"
    assert shown["data"]["TS_CLZT"] == "企业已答复"
    with pytest.raises(Conflict, match="已于 2026-10-20 答复"):
        reply(world, token_of(done["link"]), REPLY_DUE)
    assert lookup(world, filed.code)["reply"] == "已于当日全额退款，致歉。"


def test_the_public_summary_never_names_the_complainant(world: World) -> None:
    filed = file(world, MONDAY)
    done = accept(
        world, filed.id, ACCEPTED_ON, summary="张三（13800001111，zs@example.org）反映未退款"
    )
    with world.engine.connect() as conn:
        shown = record(conn, world.catalog, done["record_id"], audience=Audience.PUBLIC,
                       as_of=ACCEPTED_ON)  # fmt: skip
    assert shown["data"]["TS_ZY"] == "张** （***，***）反映未退款"


def test_forged_altered_or_expired_links_are_refused(world: World) -> None:
    filed = file(world, MONDAY)
    link = token_of(accept(world, filed.id, ACCEPTED_ON)["link"])
    cid, until, signature = link.split(".")
    other = file(world, MONDAY)
    for bad in (f"{other.id}.{until}.{signature}", f"{cid}.20991231.{signature}",
                f"{cid}.{until}.{signature[:-2]}xx", "garbage", f"{cid}..", "9" * 40):  # fmt: skip
        with pytest.raises(NotFound, match="答复链接无效"):
            reply(world, bad, ACCEPTED_ON)
    last = REPLY_DUE + timedelta(days=RULES.reply_link_grace_days)
    with pytest.raises(Forbidden, match="过期"):
        reply(world, link, last + timedelta(days=1))
    assert reply(world, link, last)["state_zh"] == "企业逾期答复"  # the last day still works


def test_deadline_passing_marks_overdue_and_a_late_reply_says_so(world: World) -> None:
    filed = file(world, MONDAY)
    done = accept(world, filed.id, ACCEPTED_ON)
    assert overdue(world, REPLY_DUE)["overdue"] == 0  # the last day is still in time
    assert lookup(world, filed.code)["state"] == "accepted"
    assert overdue(world, REPLY_DUE + timedelta(days=1))["overdue"] == 1
    seen = lookup(world, filed.code)
    assert seen["state_zh"] == "企业逾期未答复" and seen["in_time"] is False and seen["may_rate"]
    with world.engine.connect() as conn:
        shown = record(conn, world.catalog, done["record_id"], audience=Audience.PUBLIC,
                       as_of=date(2026, 10, 22))  # fmt: skip
    assert shown["data"]["TS_CLZT"] == "逾期未答复"
    late = reply(world, token_of(done["link"]), date(2026, 10, 22))
    assert late["state_zh"] == "企业逾期答复" and late["in_time"] is False
    assert overdue(world, date(2026, 10, 23))["overdue"] == 0


def test_triage_is_refused_twice_and_refusal_needs_a_known_reason(world: World) -> None:
    filed = file(world, MONDAY)
    with world.engine.begin() as conn, pytest.raises(InvalidInput) as bad:
        complaint_triage.refuse(conn, filed.id, reason="dislike", note="", rules=RULES,
                                actor="user:1", as_of=MONDAY, now=noon(MONDAY))  # fmt: skip
    assert bad.value.details["field"] == "reason"
    with world.engine.begin() as conn, pytest.raises(InvalidInput, match="须写明说明"):
        complaint_triage.refuse(conn, filed.id, reason="other", note=" ", rules=RULES,
                                actor="user:1", as_of=MONDAY, now=noon(MONDAY))  # fmt: skip
    with world.engine.begin() as conn:
        complaint_triage.refuse(conn, filed.id, reason="handled_elsewhere", note="", rules=RULES,
                                actor="user:1", as_of=MONDAY, now=noon(MONDAY))  # fmt: skip
    seen = lookup(world, filed.code)
    assert seen["state_zh"] == "不予受理" and seen["refusal_reason_zh"].startswith("已由法院")
    with pytest.raises(Conflict, match="已处理"):
        accept(world, filed.id, ACCEPTED_ON)
    with pytest.raises(InvalidInput, match="企业联系邮箱"):
        accept(world, file(world, MONDAY).id, ACCEPTED_ON, email="not-an-email")
    assert count(world, "records WHERE dataset = 'complaint'") == 0


def test_the_complainant_rates_once_after_the_reply(world: World) -> None:
    filed = file(world, MONDAY)
    link = token_of(accept(world, filed.id, ACCEPTED_ON)["link"])

    def rate(rating: str) -> dict[str, object]:
        with world.engine.begin() as conn:
            return complaint_replies.rate(conn, world.catalog, filed.code, rating, "退款已到账",
                                          RULES, as_of=REPLY_DUE, now=noon(REPLY_DUE))  # fmt: skip

    with pytest.raises(Conflict, match="尚未答复"):
        rate("satisfied")
    reply(world, link, date(2026, 10, 9))
    with pytest.raises(InvalidInput):
        rate("5 stars")
    assert rate("satisfied")["rating_zh"] == "满意"
    with pytest.raises(Conflict, match="已评价"):
        rate("unsatisfied")
