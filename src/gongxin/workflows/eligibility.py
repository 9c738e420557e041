"""Whether a record may be repaired now: the checklist shown to the applicant before they
submit, checked from the platform's data where it holds it (the minimum publicity period of
the regime in force, a list entry's minimum period) and from the applicant's declarations and
attachments otherwise (信用修复承诺书, proof of fulfilment, training or credit report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from gongxin.catalog.model import DatasetSpec
from gongxin.records import gate
from gongxin.records.publicity import add_months
from gongxin.workflows.deadlines import Jurisdiction


class Declared(Protocol):
    @property
    def commitment(self) -> bool: ...
    @property
    def fulfilled(self) -> bool: ...
    @property
    def training(self) -> bool: ...


@dataclass(frozen=True)
class Item:
    key: str
    zh: str
    en: str
    ok: bool
    detail_zh: str
    detail_en: str
    since: date | None = None  # min_period: the first day an application may be filed

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "zh": self.zh,
            "en": self.en,
            "ok": self.ok,
            "detail_zh": self.detail_zh,
            "detail_en": self.detail_en,
            "from": self.since.isoformat() if self.since else None,
        }


def earliest(spec: DatasetSpec, data: dict[str, Any], jur: Jurisdiction) -> tuple[date | None, str]:
    """The first day repair may be filed, and the rule that says so."""
    publicity = gate.publicity_of(spec, data)
    if publicity is not None:
        if not publicity.published:
            return None, publicity.regime
        return publicity.earliest_end, publicity.regime
    months = jur.list_minimum_months.get(spec.code)
    start = data.get(spec.visibility.start) if spec.visibility.start else None
    if months and isinstance(start, str) and start:
        return add_months(date.fromisoformat(start), months), f"{jur.name}：列入满 {months} 个月"
    return None, jur.name


def severity_of(spec: DatasetSpec, data: dict[str, Any]) -> str | None:
    code = spec.visibility.severity
    value = data.get(code) if code else None
    return value if isinstance(value, str) else None


def checklist(
    spec: DatasetSpec,
    data: dict[str, Any],
    declared: Declared,
    attachments: int,
    jur: Jurisdiction,
    as_of: date,
) -> list[Item]:
    since, rule = earliest(spec, data, jur)
    items = []
    if since is not None and as_of < since:
        items.append(
            Item(
                "min_period",
                "最短公示期",
                "minimum publicity period",
                False,
                f"按 {rule}，{since.isoformat()} 起方可申请信用修复",
                f"under {rule}, repair may be applied for from {since.isoformat()}",
                since,
            )
        )
    else:
        shown = since.isoformat() if since else "无"
        items.append(
            Item(
                "min_period",
                "最短公示期",
                "minimum publicity period",
                True,
                f"已满（{rule}，最早 {shown}）",
                f"served ({rule}, from {shown})",
                since,
            )
        )
    items.append(
        Item(
            "commitment",
            "信用修复承诺书",
            "credit repair commitment",
            declared.commitment,
            "已作出承诺" if declared.commitment else "须勾选承诺",
            "given" if declared.commitment else "required",
        )
    )
    proof = declared.fulfilled and attachments > 0
    items.append(
        Item(
            "fulfilled",
            "履行法定义务",
            "legal obligations fulfilled",
            proof,
            "已声明并上传证明" if proof else "须声明已履行并上传履行证明（PDF/JPG/PNG）",
            "declared, proof attached"
            if proof
            else "declare fulfilment and attach proof (PDF/JPG/PNG)",
        )
    )
    severity = severity_of(spec, data)
    if severity is not None and severity in jur.training_severities:
        items.append(
            Item(
                "training",
                "专题培训或信用报告",
                "training or credit report",
                declared.training,
                "已完成" if declared.training else f"{severity}失信须完成专题培训或提交信用报告",
                "done"
                if declared.training
                else f"{severity} cases need training or a credit report",
            )
        )
    return items
