"""Errors raised when an identifier fails validation.

Every error names the kind of identifier, the compacted value, and the rule of the standard that
was broken. Messages are Simplified Chinese first with an English gloss, and say exactly what is
wrong: which position, which character, what length was expected and what was found.

Resident ID numbers are personal data: messages never quote them, and the ``details`` that reach
API responses and logs carry a masked copy. Only the ``value`` attribute holds the full number.
"""

from __future__ import annotations

from typing import Any, Literal

from gongxin.errors import InvalidInput

Kind = Literal["uscc", "reg_no", "org_code", "resident_id"]

#: Display names of each kind of identifier: (Chinese, English).
KIND_NAMES: dict[Kind, tuple[str, str]] = {
    "uscc": ("统一社会信用代码", "USCC"),
    "org_code": ("组织机构代码", "organisation code"),
    "reg_no": ("工商注册号", "registration number"),
    "resident_id": ("公民身份号码", "resident ID number"),
}


def _redact(kind: Kind, value: str) -> str:
    """The value as it may appear in details: a resident ID number is 18 asterisks (no region,
    no birth date, as on public pages)."""
    return "*" * 18 if kind == "resident_id" else value


class InvalidIdentifier(InvalidInput):
    """An identifier failed validation."""

    code = "invalid_identifier"

    def __init__(
        self, zh: str, en: str, *, kind: Kind, value: str, rule: str, **details: Any
    ) -> None:
        super().__init__(zh, en, kind=kind, value=_redact(kind, value), rule=rule, **details)
        self.kind: Kind = kind
        self.value = value
        self.rule = rule
        self.args = (self.message,)

    @property
    def message(self) -> str:
        """Chinese message, English gloss, then the rule that was broken."""
        return f"{self.zh}（{self.en}）〔{self.rule}〕"


class InvalidLength(InvalidIdentifier):
    """The identifier has the wrong number of characters."""

    code = "invalid_length"

    @classmethod
    def build(cls, kind: Kind, value: str, rule: str, expected: int) -> InvalidLength:
        zh_name, en_name = KIND_NAMES[kind]
        return cls(
            f"{zh_name}长度错误：应为 {expected} 位，实为 {len(value)} 位",
            f"{en_name} has the wrong length: expected {expected} characters, got {len(value)}",
            kind=kind,
            value=value,
            rule=rule,
            expected=expected,
            found=len(value),
        )


class InvalidFormat(InvalidIdentifier):
    """A character is not allowed at its position."""

    code = "invalid_format"

    @classmethod
    def build(
        cls, kind: Kind, value: str, rule: str, position: int, allowed: tuple[str, str]
    ) -> InvalidFormat:
        """``position`` counts from 1; ``allowed`` describes the allowed characters (zh, en)."""
        zh_name, en_name = KIND_NAMES[kind]
        char = value[position - 1]
        return cls(
            f"{zh_name}第 {position} 位字符“{char}”不合规：应为{allowed[0]}",
            f"{en_name} character {position} ({char!r}) is not allowed: expected {allowed[1]}",
            kind=kind,
            value=value,
            rule=rule,
            position=position,
            char=char,
        )


class InvalidChecksum(InvalidIdentifier):
    """The check character does not match the body."""

    code = "invalid_checksum"

    @classmethod
    def build(cls, kind: Kind, value: str, rule: str, expected: str) -> InvalidChecksum:
        zh_name, en_name = KIND_NAMES[kind]
        got = value[-1]
        return cls(
            f"{zh_name}校验码错误：应为 {expected}，实为 {got}",
            f"{en_name} check character is wrong: expected {expected}, got {got}",
            kind=kind,
            value=value,
            rule=rule,
            expected=expected,
            got=got,
        )


class InvalidComponent(InvalidIdentifier):
    """A part of the identifier (a date, an embedded code) is not valid in itself."""

    code = "invalid_component"
