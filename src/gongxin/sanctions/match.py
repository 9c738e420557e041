"""Reading a check item — a code or a name — and finding its subject.

A code (统一社会信用代码, 15-digit 注册号 or 组织机构代码) is validated and looked up in the
subject registry; a code not in the registry is still checked against list entries that name it.
A name is matched exactly, then by its normalised form (full-width/half-width, brackets,
有限责任公司/有限公司); several subjects with the name are an error listing their codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.ids import orgcode, regno, uscc
from gongxin.ids.classify import classify
from gongxin.ids.exceptions import InvalidIdentifier, InvalidLength
from gongxin.ids.normalise import normalise
from gongxin.subjects.names import normalise_name

MAX_TEXT = 200
CONFIDENCE = {"code": 1.0, "name_exact": 1.0, "name_normalised": 0.95, "none": 0.0}
MATCH_NAMES = {
    "code": ("代码", "code"),
    "name_exact": ("名称完全一致", "exact name"),
    "name_normalised": ("规范化名称一致", "normalised name"),
    "none": ("未匹配", "no match"),
}
_COLUMNS = ("id", "uscc", "reg_no", "org_code", "name")


@dataclass
class Item:
    """One subject asked about, and what matching made of it."""

    position: int
    query: str
    code_kind: str | None = None  # uscc | reg_no | org_code, for a code
    code: str | None = None  # the normalised code given
    subject_id: int | None = None
    subject_code: str | None = None
    subject_name: str | None = None
    match: str = "none"
    error: dict[str, Any] | None = None
    hits: list[Any] = field(default_factory=list)

    @property
    def confidence(self) -> float | None:
        return None if self.error else CONFIDENCE[self.match]


def _error(code: str, zh: str, en: str, **details: Any) -> dict[str, Any]:
    return {"error": code, "zh": zh, "en": en, "message": f"{zh}（{en}）", **details}


def _looks_like_code(text: str) -> bool:
    compact = normalise(text)
    return compact.isascii() and compact.isalnum() and any(c.isdigit() for c in compact)


def _invalid_code(position: int, compact: str) -> dict[str, Any]:
    validator = {18: uscc.validate, 15: regno.validate, 9: orgcode.validate}.get(len(compact))
    try:
        if validator is None:
            raise InvalidLength.build("uscc", compact, "GB 32100-2015 / GS 15-2006 / GB 11714", 18)
        validator(compact)
        zh, en, rule = "个人证件号码不在核查范围", "personal ID numbers are not checked", "scope"
    except InvalidIdentifier as exc:
        zh, en, rule = exc.zh, exc.en, exc.rule
    if validator is None:
        zh = (
            f"代码长度为 {len(compact)} 位，应为 18 位统一社会信用代码、15 位注册号"
            "或 9 位组织机构代码"
        )
        en = (
            f"the code has {len(compact)} characters; expected a USCC (18), "
            "a registration number (15) or an organisation code (9)"
        )
    return _error(
        "invalid_code",
        f"第 {position + 1} 项“{compact[:40]}”：{zh}（依据 {rule}）",
        f"item {position + 1} {compact[:40]!r}: {en} (rule {rule})",
        position=position, value=compact[:40], rule=rule,
    )  # fmt: skip


def read(position: int, raw: Any) -> Item:
    """An item from the caller's value: a code, a name, or an error saying what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        shown = repr(raw)[:40]
        return Item(position, "" if raw is None else str(raw)[:MAX_TEXT], error=_error(
            "invalid_item", f"第 {position + 1} 项不是代码或名称：{shown}",
            f"item {position + 1} is not a code or a name: {shown}",
            position=position, value=shown, rule="a non-empty string",
        ))  # fmt: skip
    text = raw.strip()
    if len(text) > MAX_TEXT:
        return Item(position, text[:MAX_TEXT], error=_error(
            "invalid_item", f"第 {position + 1} 项过长（最多 {MAX_TEXT} 字）",
            f"item {position + 1} is longer than {MAX_TEXT} characters",
            position=position, value=text[:40], rule=f"at most {MAX_TEXT} characters",
        ))  # fmt: skip
    if not _looks_like_code(text):
        return Item(position, text)
    compact = normalise(text)
    kind = classify(compact)
    if kind not in ("uscc", "reg_no", "org_code"):
        return Item(position, text, error=_invalid_code(position, compact))
    return Item(position, text, code_kind=kind, code=compact, match="code")


def resolve(conn: sa.Connection, items: Sequence[Item]) -> None:
    """Find the subject of every item without an error (in place), a few queries in all."""
    by_code: dict[str, dict[str, list[Item]]] = {"uscc": {}, "reg_no": {}, "org_code": {}}
    names: dict[str, list[Item]] = {}
    for it in items:
        if it.error is not None:
            continue
        if it.code_kind and it.code:
            by_code[it.code_kind].setdefault(it.code, []).append(it)
        else:
            names.setdefault(it.query, []).append(it)
    for kind, wanted in by_code.items():
        if not wanted:
            continue
        found: dict[str, tuple[Any, ...]] = {}
        for row in dialect.select_in(conn, "subjects", kind, _COLUMNS, sorted(wanted)):
            found.setdefault(row[0], row[1:])
        for code, its in wanted.items():
            for it in its:
                got = found.get(code)
                it.subject_code = code
                if got is not None:
                    row = got
                    it.subject_id, it.subject_name = row[0], row[4]
                    it.subject_code = row[1] or row[2] or code
    if names:
        _by_name(conn, names)


def _by_name(conn: sa.Connection, names: dict[str, list[Item]]) -> None:
    exact: dict[str, list[tuple[Any, ...]]] = {}
    for row in dialect.select_in(conn, "subjects", "name", _COLUMNS, sorted(names)):
        exact.setdefault(row[0], []).append(row[1:])
    norms = {q: normalise_name(q) for q in names if q not in exact}
    fuzzy: dict[str, list[tuple[Any, ...]]] = {}
    if norms:
        for row in dialect.select_in(
            conn, "subjects", "name_norm", _COLUMNS, sorted(set(norms.values()))
        ):
            fuzzy.setdefault(row[0], []).append(row[1:])
    for query, its in names.items():
        rows, how = (exact[query], "name_exact") if query in exact else (
            fuzzy.get(norms[query], []), "name_normalised")  # fmt: skip
        for it in its:
            if not rows:
                it.error = _error(
                    "unknown_name",
                    f"第 {it.position + 1} 项：未找到名称为“{query[:60]}”的主体，"
                    "请核对名称或改用统一社会信用代码",
                    f"item {it.position + 1}: no subject named {query[:60]!r}; check the name or "
                    "use the unified social credit code",
                    position=it.position, value=query[:60], rule="name lookup",
                )  # fmt: skip
            elif len(rows) > 1:
                codes = [r[1] or r[2] or r[3] or "" for r in rows[:20]]
                it.error = _error(
                    "ambiguous_name",
                    f"第 {it.position + 1} 项：有 {len(rows)} 个主体名为“{query[:60]}”，"
                    "请改用代码核查：" + "、".join(codes),
                    f"item {it.position + 1}: {len(rows)} subjects are named {query[:60]!r}; "
                    "check by code: " + ", ".join(codes),
                    position=it.position, value=query[:60], rule="one subject per name",
                    candidates=[
                        {"code": c, "name": r[4]} for c, r in zip(codes, rows, strict=False)
                    ],
                )  # fmt: skip
            else:
                sid, code_u, code_r, code_o, name = rows[0]
                it.subject_id, it.subject_name, it.match = sid, name, how
                it.subject_code = code_u or code_r or code_o
