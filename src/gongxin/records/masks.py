"""How personal data is masked for the public: a person's name, an ID number, a 个体工商户
named after its operator, a field hidden whole. The visibility gate (``records.gate``) applies
them to records by the catalog's ``mask`` of each field; search, profiles and the market's pages
apply the name masks to the register's own columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gongxin.ids import ric

PERSON_MASK_STARS = 2  # 张三 and 欧阳娜娜 both become <surname>**: the length is not shown


def mask_hidden(_value: str) -> str:
    return ""


def mask_person_name(name: str) -> str:
    """张三 → 张**, 欧阳娜娜 → 欧**: the first character stays, the rest is a fixed two
    asterisks, so the mask says nothing of the name's length. A one-character name is all
    asterisks."""
    name = name.strip()
    shown = name[:1] if len(name) > 1 else "*"
    return shown + "*" * PERSON_MASK_STARS


def mask_id_number(number: str) -> str:
    """Any ID number (resident ID, passport, …) → 18 asterisks: no region, no birth date, not
    even the length or the kind of document is shown."""
    return ric.mask(number)


def _is_person_like(name: str) -> bool:
    """A name of two or three Han characters and nothing else: how a 个体工商户 without a shop
    name (字号) is registered — under its operator's name."""
    name = name.strip()
    return 2 <= len(name) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in name)


def is_named_after_operator(name: str, operators: Iterable[str | None] = ()) -> bool:
    """Whether a 个体工商户's name is its operator's personal name: equal to the operator's
    name given in the record, or two or three Han characters alone."""
    stripped = name.strip()
    return any(stripped == (o or "").strip() for o in operators) or _is_person_like(stripped)


def mask_subject_name(name: str, category: str | None, operators: Iterable[str | None] = ()) -> str:
    """The public form of a subject's name: a 个体工商户 named after its operator is masked
    like the operator (张三 → 张**); any other name is shown as it is."""
    if category and "个体" in category and is_named_after_operator(name, operators):
        return mask_person_name(name)
    return name


#: the catalog's ``mask`` of a field, by name
MASKS: dict[str, Callable[[str], str]] = {
    "person_name": mask_person_name,
    "id_number": mask_id_number,
    "hidden": mask_hidden,
}
