"""The parties and contact points a registration names, and its change log, kept per subject.

Each registration load replaces a subject's rows in ``subject_parties`` and
``subject_changes``. Keys are normalised so that two filings of the same thing compare equal:

- ``legal_rep``: the keyed hash of the representative's ID number (a name alone is too common
  to relate two firms by); the label is the name;
- ``investor``: a USCC when the investor is given by code, else the normalised name;
- ``address``: NFKC, no whitespace, one kind of bracket, no trailing punctuation;
- ``phone``: the digits, without a leading 86 country code; fewer than 7 digits are ignored;
- ``email``: lower-case.

Investors are written ``名称或代码:比例%`` separated by semicolons; changes
``日期|事项|变更前|变更后`` separated by semicolons. Entries that do not parse are skipped and
counted (``Filed.skipped``), never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.supervision_tables import subject_changes, subject_parties
from gongxin.ids import uscc
from gongxin.subjects.names import normalise_name

_SEPARATORS = re.compile(r"[;；\n]")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")"})
KINDS = ("legal_rep", "investor", "address", "phone", "email")


@dataclass(frozen=True, slots=True)
class Filing:
    """What one registration row says about a subject's parties."""

    subject_id: int
    legal_rep: str | None = None
    legal_rep_key: str | None = None
    investors: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    changes: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    kind: str
    key: str
    label: str
    share: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    changed_on: date
    item: str
    before: str | None
    after: str | None


def normalise_address(text: str) -> str:
    """An address in one comparable form: full-width characters and brackets narrowed, spaces
    and trailing punctuation dropped, letters upper-cased.

    >>> normalise_address(" 北京市海淀区 中关村大街１号（A座）。")
    '北京市海淀区中关村大街1号(A座)'
    """
    out = "".join(unicodedata.normalize("NFKC", text).translate(_BRACKETS).split())
    return out.rstrip("。.,，;；").upper()


def normalise_phone(text: str) -> str | None:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 7 else None


def investors(text: str) -> tuple[list[Party], int]:
    """Investors as parties, and how many entries did not parse."""
    found: list[Party] = []
    skipped = 0
    for entry in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        entry = entry.strip()
        if not entry:
            continue
        name, _, share = entry.rpartition(":")
        if not name:
            name, share = entry, ""
        name = name.strip()
        share = share.strip().rstrip("%").strip()
        if share and not re.fullmatch(r"\d{1,3}(\.\d+)?", share):
            skipped += 1
            continue
        # most investors are named, not coded: tell them apart without raising an error each
        key = uscc.validate(name) if uscc.is_valid(name) else "name:" + normalise_name(name)
        found.append(Party("investor", key, name, share or None))
    return found, skipped


def changes(text: str) -> tuple[list[Change], int]:
    """The change log entries, and how many did not parse."""
    found: list[Change] = []
    skipped = 0
    for entry in _SEPARATORS.split(text):
        parts = [p.strip() for p in entry.split("|")]
        if parts == [""]:
            continue
        try:
            changed_on = date.fromisoformat(parts[0].replace("/", "-"))
        except ValueError:
            skipped += 1
            continue
        if len(parts) != 4 or not parts[1]:
            skipped += 1
            continue
        found.append(Change(changed_on, parts[1][:100], parts[2] or None, parts[3] or None))
    return found, skipped


def parties_of(filing: Filing) -> list[Party]:
    out: list[Party] = []
    if filing.legal_rep_key:
        out.append(Party("legal_rep", filing.legal_rep_key, filing.legal_rep or ""))
    if filing.investors:
        out.extend(investors(filing.investors)[0])
    if filing.address and (key := normalise_address(filing.address)):
        out.append(Party("address", key[:500], filing.address[:500]))
    if filing.phone and (phone := normalise_phone(filing.phone)):
        out.append(Party("phone", phone, filing.phone))
    if filing.email and "@" in filing.email:
        out.append(Party("email", filing.email.strip().lower(), filing.email.strip()))
    return out


def replace(conn: sa.Connection, filings: Sequence[Filing]) -> None:
    """Replace the parties and changes of the subjects filed (their latest filing wins)."""
    if not filings:
        return
    ids = sorted({f.subject_id for f in filings})
    for chunk in dialect.chunked(ids):
        conn.execute(sa.delete(subject_parties).where(subject_parties.c.subject_id.in_(chunk)))
        conn.execute(sa.delete(subject_changes).where(subject_changes.c.subject_id.in_(chunk)))
    latest = {f.subject_id: f for f in filings}
    party_rows = [
        (sid, p.kind, p.key, p.label[:500], p.share)
        for sid, f in latest.items()
        for p in parties_of(f)
    ]
    change_rows = [
        (sid, c.changed_on.isoformat(), c.item, c.before, c.after)
        for sid, f in latest.items()
        if f.changes
        for c in changes(f.changes)[0]
    ]
    if party_rows:
        cols = ("subject_id", "kind", "key", "label", "share")
        dialect.bulk_insert(conn, subject_parties, cols, party_rows)
    if change_rows:
        cols = ("subject_id", "changed_on", "item", "before", "after")
        dialect.bulk_insert(conn, subject_changes, cols, change_rows)
