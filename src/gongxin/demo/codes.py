"""Valid synthetic identifiers, and the ways departments get them wrong.

Every USCC made here embeds a GB 11714-valid organisation code (positions 9–17), so it passes
the strict check too.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date

from gongxin.ids import orgcode, regno, ric, uscc

# Characters allowed both in a GB 11714 body and at USCC positions 9–17.
BODY_CHARS = uscc.ALPHABET
_FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def org_code(rng: random.Random, *, new_style: bool) -> str:
    """A valid 9-character organisation code: an old all-digit body, or a post-2015 ``MA…``."""
    if new_style:
        body = "MA" + "".join(rng.choice(BODY_CHARS) for _ in range(6))
    else:
        body = str(rng.randint(1, 7)) + "".join(rng.choice("0123456789") for _ in range(7))
    return body + orgcode.calc_check_digit(body)


def make_uscc(authority: str, category: str, region_code: str, org: str) -> str:
    body = f"{authority}{category}{region_code}{org}"
    return body + uscc.calc_check_digit(body)


def random_uscc(
    rng: random.Random, authority: str, category: str, region_code: str, *, new_style: bool
) -> str:
    return make_uscc(authority, category, region_code, org_code(rng, new_style=new_style))


def agency_uscc(name: str, region_code: str, authority: str = "1", category: str = "1") -> str:
    """A stable USCC for a government body (机关: 11…), derived from its name alone.

    The same agency gets the same code in every demo, whatever the seed.
    """
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    body = "0" + "".join(str(int(c, 16) % 10) for c in digest[:7])
    return make_uscc(authority, category, region_code, body + orgcode.calc_check_digit(body))


def registration_number(rng: random.Random, region_code: str) -> str:
    """A valid 15-digit 工商注册号 (GS 15-2006) of a domestic enterprise."""
    body = (
        region_code + str(rng.randint(0, 3)) + "".join(rng.choice("0123456789") for _ in range(7))
    )
    return body + regno.calc_check_digit(body)


def resident_id(rng: random.Random, region_code: str, born: date, *, male: bool) -> str:
    """A valid 18-digit 公民身份号码 (GB 11643)."""
    order = rng.randrange(1 if male else 0, 1000, 2)
    body = f"{region_code}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body)


def wrong_check(code: str) -> str:
    """The same USCC with another (wrong) check character."""
    right = code[-1]
    shift = 1 + int(hashlib.sha256(code.encode()).hexdigest(), 16) % 29
    wrong = uscc.ALPHABET[(uscc.ALPHABET.index(right) + shift) % 31]
    return code[:-1] + wrong


def full_width(code: str) -> str:
    """The code in full-width characters, as copied from a Chinese document: ９１１１…Ｑ."""
    return code.translate(_FULL_WIDTH)


def display_org_code(code: str) -> str:
    return orgcode.format(code)
