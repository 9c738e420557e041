"""Compiling a field spec into a fast cell parser.

``compile_field`` returns a function from the raw cell to the stored value (None when empty).
Problems raise :class:`ValueProblem`; identifier warnings are returned through ``warn``.
Results of the costly types are memoised per field, bounded so memory stays flat.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from gongxin.catalog.model import FieldSpec
from gongxin.clock import LONG_TERM
from gongxin.ids import keyed, orgcode, regno, ric, uscc
from gongxin.ids.classify import subject_key
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.intake import values as v
from gongxin.settings import get_settings

Parser = Callable[[Any], Any]
CACHE_LIMIT = 50_000
RESIDENT_ID_TYPES = frozenset(
    {"身份证", "居民身份证", "身份证号", "公民身份号码", "居民身份证号码"}
)
MOJIBAKE = "\ufffd"


def _problem_from(exc: InvalidIdentifier) -> v.ValueProblem:
    return v.ValueProblem(exc.rule, exc.zh, exc.en)


def _code_parser(validate: Callable[[str], str]) -> Parser:
    def parse(raw: Any) -> str | None:
        text = v.as_text(raw)
        if text is None:
            return None
        try:
            return validate(text)
        except InvalidIdentifier as exc:
            raise _problem_from(exc) from None

    return parse


def parse_subject_code(text: str) -> tuple[str, str]:
    """A registration key: a valid USCC, else a valid 15-digit registration number."""
    try:
        return subject_key(text)
    except InvalidIdentifier as exc:
        if exc.kind == "reg_no":
            raise _problem_from(exc) from None
        shown = text[:40]
        raise v.ValueProblem(
            "subject_code",
            f"代码“{shown}”既不是有效的统一社会信用代码，也不是有效的15位工商注册号：{exc.zh}",
            f"{shown!r} is neither a valid USCC nor a valid 15-digit registration number: {exc.en}",
        ) from None


def _subject_code(raw: Any) -> str | None:
    text = v.as_text(raw)
    return None if text is None else parse_subject_code(text)[1]


def _text_parser(spec: FieldSpec) -> Parser:
    max_len, min_len = spec.max_length, spec.min_length

    def parse(raw: Any) -> str | None:
        text = v.as_text(raw)
        if text is None:
            return None
        if max_len is not None and len(text) > max_len:
            raise v.ValueProblem(
                "max_length",
                f"超过最大长度 {max_len} 字（实为 {len(text)} 字）",
                f"longer than {max_len} characters ({len(text)})",
            )
        if min_len is not None and len(text) < min_len:
            raise v.ValueProblem(
                "min_length", f"少于 {min_len} 字", f"shorter than {min_len} characters"
            )
        return text

    return parse


def _date_parser(spec: FieldSpec) -> Parser:
    long_term = spec.long_term_sentinel

    def parse(raw: Any) -> str | None:
        text = v.as_text(raw) if not isinstance(raw, date) else raw
        if text is None:
            return None
        if long_term and text in ("长期", "永久", "长期有效"):
            return LONG_TERM.isoformat()
        return v.parse_date(raw if not isinstance(raw, str) else text).isoformat()

    return parse


def _decimal_parser(spec: FieldSpec) -> Parser:
    scale, unit = spec.scale, spec.unit

    def parse(raw: Any) -> str | None:
        if v.as_text(raw) is None:
            return None
        return v.decimal_text(v.parse_decimal(raw, scale, unit), scale)

    return parse


def _integer(raw: Any) -> int | None:
    return None if v.as_text(raw) is None else v.parse_integer(raw)


def _capital_parser(spec: FieldSpec) -> Parser:
    unit = spec.unit or ""

    def parse(raw: Any) -> dict[str, str] | None:
        return None if v.as_text(raw) is None else v.parse_capital(raw, unit)

    return parse


def _enum_parser(spec: FieldSpec) -> Parser:
    assert spec.values is not None
    allowed = {v.normalise_label(value): value for value in spec.values}
    allowed.update({v.normalise_label(alias): value for alias, value in spec.value_aliases.items()})
    prefix = v.normalise_label(spec.other_prefix) if spec.other_prefix else None
    splitter = re.compile("|".join(re.escape(s) for s in spec.separators))
    shown = "、".join(spec.values[:15]) + ("…" if len(spec.values) > 15 else "")

    def one(label: str) -> str:
        key = v.normalise_label(label)
        if key in allowed:
            return allowed[key]
        if prefix and key.startswith(prefix) and len(key) > len(prefix) + 1:
            return key
        if prefix and key.startswith(prefix):
            raise v.ValueProblem(
                "enum_other",
                f"“{label}”须注明具体类型，如“{spec.other_prefix}-具体类型”",
                f"{label!r} must state the specific type, e.g. '{spec.other_prefix}-<type>'",
            )
        raise v.ValueProblem(
            "enum",
            f"“{label[:40]}”不是可选值之一：{shown}",
            f"{label[:40]!r} is not one of: {shown}",
        )

    def parse(raw: Any) -> Any:
        text = v.as_text(raw)
        if text is None:
            return None
        if not spec.multiple:
            return one(text)
        parts = [p.strip() for p in splitter.split(text) if p.strip()]
        return [one(p) for p in parts] or None

    return parse


def _memoised(parse: Parser) -> Parser:
    cache: dict[Any, Any] = {}

    def cached(raw: Any) -> Any:
        try:
            hit = cache[raw]
        except (KeyError, TypeError):
            try:
                hit = parse(raw)
            except v.ValueProblem as problem:
                hit = problem.detached()  # kept: without the frames it was raised in
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            with contextlib.suppress(TypeError):  # unhashable cells are simply not memoised
                cache[raw] = hit
        if isinstance(hit, v.ValueProblem):
            try:  # the kept problem, raised afresh: its traceback does not grow with each cell
                raise hit.with_traceback(None)
            finally:
                del hit  # no cycle problem -> traceback -> this frame -> problem
        return hit

    return cached


def _hashed(parse: Parser) -> Parser:
    """Validate the identifier, then keep only its keyed hash (``ids.keyed``)."""
    key = get_settings().match_key

    def hashed(raw: Any) -> str | None:
        value = parse(raw)
        return None if value is None else keyed.keyed_hash(value, key)

    return hashed


def compile_field(spec: FieldSpec) -> Parser:
    """The parser for one field; identifiers, dates, enums and numbers are memoised."""
    kind = spec.type
    if kind in ("text", "id_number"):
        return _text_parser(spec)
    parser: Parser
    if kind == "uscc":
        parser = _code_parser(uscc.validate)
    elif kind == "reg_no":
        parser = _code_parser(regno.validate)
    elif kind == "org_code":
        parser = _code_parser(orgcode.validate)
    elif kind == "resident_id":
        parser = _code_parser(ric.validate)
        if spec.keyed_hash:
            parser = _hashed(parser)
    elif kind == "subject_code":
        parser = _subject_code
    elif kind == "date":
        parser = _date_parser(spec)
    elif kind == "decimal":
        parser = _decimal_parser(spec)
    elif kind == "integer":
        parser = _integer
    elif kind == "capital":
        parser = _capital_parser(spec)
    elif kind == "enum":
        parser = _enum_parser(spec)
    else:  # pragma: no cover - the model's Literal forbids it
        raise ValueError(kind)
    return _memoised(parser)


def validate_id_number(id_type: Any, number: str) -> str:
    """An ID number whose kind is named by ``id_type``: resident IDs get GB 11643 checks."""
    if isinstance(id_type, str) and v.normalise_label(id_type) in RESIDENT_ID_TYPES:
        try:
            return ric.validate(number)
        except InvalidIdentifier as exc:
            raise _problem_from(exc) from None
    return number
