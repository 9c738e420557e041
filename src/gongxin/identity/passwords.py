"""The password policy of back-office accounts: rules as data (``data/password_policy.yaml``).

A password is refused, with the rule it breaks, when it

* is shorter than ``min_length`` characters;
* is all of one kind of character (only lower-case letters, only digits …);
* begins or ends with whitespace (a copy-and-paste slip that later logins will not repeat);
* contains the username (``alice2024`` for alice), forwards or backwards;
* is a common word with digits or symbols around it (``Password12``, ``P@ssw0rd!``, ``qwerty2026``),
  after undoing the usual letter-for-digit swaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from gongxin.errors import InvalidInput

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i"})  # fmt: skip
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")


@dataclass(frozen=True)
class Policy:
    min_length: int
    common_words: frozenset[str]


@lru_cache(maxsize=1)
def policy() -> Policy:
    text = (
        resources.files("gongxin.identity")
        .joinpath("data/password_policy.yaml")
        .read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    words = frozenset(str(w).strip().lower() for w in raw["common_words"])
    return Policy(int(raw["min_length"]), words)


def _class_of(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.isupper():
        return "upper"
    if char.islower():
        return "lower"
    return "other"  # symbols, and letters without case such as 汉字


def _common_core(password: str, words: frozenset[str]) -> str | None:
    """The common word this password is made of, with its decorations taken off, if any."""
    lowered = password.lower()
    forms = (lowered, lowered.translate(_LEET), _EDGES.sub("", lowered).translate(_LEET))
    for form in forms:
        core = _EDGES.sub("", form)
        if not core:
            continue
        for word in words:
            times, rest = divmod(len(core), len(word))
            if not rest and core == word * times:
                return word
    return None


def check(password: str, username: str | None = None) -> None:
    """Raise InvalidInput naming the rule ``password`` breaks; pass when it breaks none."""
    rules = policy()
    if password != password.strip():
        raise InvalidInput(
            "密码不能以空格或其他空白字符开头或结尾",
            "the password must not begin or end with spaces or other whitespace",
            rule="whitespace",
        )
    name = (username or "").strip().lower()
    lowered = password.lower()
    if len(name) >= 3 and (name in lowered or name[::-1] in lowered):
        raise InvalidInput(
            "密码不能包含用户名",
            "the password must not contain the username",
            rule="contains_username",
        )
    word = _common_core(password, rules.common_words)
    if word is not None:
        raise InvalidInput(
            f"密码过于常见：由常用词“{word}”加数字或符号构成，请换一个不易猜到的密码",
            f"the password is too common: the word {word!r} with digits or symbols around it",
            rule="common",
        )
    if len(password) < rules.min_length:
        raise InvalidInput(
            f"密码至少 {rules.min_length} 个字符（现为 {len(password)} 个）",
            f"the password needs at least {rules.min_length} characters (it has {len(password)})",
            rule="min_length",
        )
    if len({_class_of(c) for c in password}) < 2:
        raise InvalidInput(
            "密码不能全是同一类字符：请混合大小写字母、数字或符号",
            "the password must not be all of one kind: mix upper and lower case, digits, symbols",
            rule="one_kind",
        )
