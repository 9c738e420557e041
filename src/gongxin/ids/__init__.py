"""Identifiers of credit subjects: validation, normalisation and classification.

One module per identifier, each with ``compact``, ``calc_check_digit``, ``validate`` (returns
the normalised code or raises :class:`~gongxin.ids.exceptions.InvalidIdentifier`),
``is_valid`` (never raises) and ``format``:

- :mod:`~gongxin.ids.uscc`: 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015;
- :mod:`~gongxin.ids.orgcode`: 组织机构代码 (organisation code), GB 11714-1997;
- :mod:`~gongxin.ids.regno`: 15-digit 工商注册号 (registration number), GS 15-2006;
- :mod:`~gongxin.ids.ric`: 公民身份号码 (resident ID number), GB 11643-1999.

:func:`normalise` turns pasted input (full-width characters, spaces, hyphens, lower case) into
the machine form; :func:`classify` tells which identifier a value is. The structure, algorithms
and worked examples are described in ``shared/domain/identifiers.md``.
"""

from __future__ import annotations

from gongxin.ids import exceptions, orgcode, regno, ric, uscc
from gongxin.ids.classify import classify
from gongxin.ids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
    Kind,
)
from gongxin.ids.normalise import normalise

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "Kind",
    "classify",
    "exceptions",
    "normalise",
    "orgcode",
    "regno",
    "ric",
    "uscc",
]
