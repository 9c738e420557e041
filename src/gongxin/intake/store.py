"""Writing a submission's checked rows: new records, corrections with history, duplicates,
quarantined rejects, and the link of each record to its subject.

Everything runs inside the submission's one transaction, in batches, with set-based lookups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.db import dialect
from gongxin.db.models import record_links, rejects, row_warnings
from gongxin.intake.mapping import header_key
from gongxin.intake.ownership import Filer, authority_problem, owned_elsewhere
from gongxin.intake.readers.table import Row
from gongxin.intake.validate import Checked, Problem, RowValidator
from gongxin.records import store
from gongxin.subjects import registry


def _digest(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


@dataclass
class Counts:
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    unlinked: int = 0
    relinked: int = 0
    warnings: int = 0


@dataclass(slots=True)
class Pending:
    """An accepted row ready to be merged: its dedupe key, stored JSON and content hash."""

    checked: Checked
    key: str
    content: str
    content_hash: str
    subject_id: int | None = None
    row: Row | None = None  # the row as read, kept to quarantine it if its owner check fails


def prepare(spec: DatasetSpec, checked: Checked) -> Pending:
    """Key and serialise one accepted row (pure: runs in intake worker processes too)."""
    data = checked.data
    assert data is not None
    subject = checked.link_code or data.get(spec.subject_keys.name or "")
    parts = [subject if k == "@subject" else data.get(k) for k in spec.dedupe_key]
    content = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return Pending(checked, _digest(orjson.dumps(parts)), content.decode(), _digest(content))


def check_and_prepare(
    validator: RowValidator, spec: DatasetSpec, rows: list[Row], who: Filer
) -> tuple[list[Pending], list[tuple[Row, Checked]]]:
    """Validate a batch; key and serialise its accepted rows; keep the rejected with their row.
    A row naming an authority ``who`` may not file for is rejected too."""
    good: list[Pending] = []
    bad: list[tuple[Row, Checked]] = []
    for row, checked in zip(rows, validator.check_batch(rows), strict=True):
        if checked.data is not None:
            problem = authority_problem(spec, checked.data, who)
            if problem is not None:
                checked.data = None
                checked.errors.append(problem)
        if checked.data is None:
            bad.append((row, checked))
        else:
            pending = prepare(spec, checked)
            pending.row = row
            good.append(pending)
    return good, bad


HIDDEN = "（已隐去）"


@dataclass
class RecordWriter:
    """Merges checked rows of one submission into the store."""

    conn: sa.Connection
    spec: DatasetSpec
    submission_id: str
    now: datetime
    headers: list[str]
    owner: Filer  # the submitting department: it owns every record this writer stores
    counts: Counts = field(default_factory=Counts)
    refused: list[Problem] = field(default_factory=list)  # rows refused by the owner check

    def __post_init__(self) -> None:
        self._registration = self.spec.subject_role == "registration"
        self._roles = registry.RegistrationRoles.of(self.spec) if self._registration else None
        keys = self.spec.subject_keys
        # Subject ids by (kind, code) seen in this submission; None caches "no such subject".
        # Only non-registration datasets use it, and they create no subjects.
        self._subject_cache: dict[tuple[str, str], int | None] = {}
        self._codes = [
            (k, c)
            for k, c in (("uscc", keys.uscc), ("reg_no", keys.reg_no), ("org_code", keys.org_code))
            if c
        ]

    # -- rejects -------------------------------------------------------------------------

    def reject(self, rows: Sequence[tuple[Row, Checked]]) -> None:
        # Fields kept only as a keyed hash (a legal rep's ID number) are never kept in clear,
        # not even in a rejected row or its error: the cell and the value are hidden.
        secret = {f.code for _, fs in self.spec.layouts() for f in fs if f.keyed_hash}
        secret_headers = {
            header_key(h) for _, fs in self.spec.layouts() for f in fs if f.keyed_hash
            for h in f.headers
        }  # fmt: skip
        values = []
        for row, checked in rows:
            # (header, cell) pairs in file order: repeated headers and stray cells all kept
            raw: list[tuple[str, str | None]] = []
            for i, header in enumerate(self.headers):
                cell = row.values[i] if i < len(row.values) else None
                if cell is not None and header and header_key(header) in secret_headers:
                    cell = HIDDEN
                raw.append((header or f"第{i + 1}列", None if cell is None else str(cell)))
            if row.extras:
                raw.extend((k, None if x is None else str(x)) for k, x in row.extras.items())
            errors = [p.to_dict() for p in checked.errors]
            for error in errors:
                if error.get("field") in secret and error.get("value"):
                    clear = error["value"]
                    error["value"] = HIDDEN
                    for key in ("zh", "en"):
                        error[key] = error[key].replace(clear, HIDDEN)
            values.append(
                (
                    self.submission_id,
                    row.number,
                    orjson.dumps(raw).decode(),
                    orjson.dumps(errors).decode(),
                )
            )
        if values:
            dialect.bulk_insert(
                self.conn, rejects, ("submission_id", "row_no", "raw", "errors"), values
            )
        self.counts.rejected += len(values)

    # -- accepted rows -------------------------------------------------------------------

    def write(self, rows: Sequence[Checked]) -> None:
        """Prepare and merge accepted rows."""
        self.write_prepared([prepare(self.spec, c) for c in rows])

    def write_prepared(self, pending: Sequence[Pending]) -> None:
        """Merge prepared rows in file order: a key seen twice is merged twice, in turn."""
        flagged = [
            (
                self.submission_id,
                p.checked.number,
                orjson.dumps([w.to_dict() for w in p.checked.warnings]).decode(),
            )
            for p in pending
            if p.checked.warnings
        ]
        if flagged:
            dialect.bulk_insert(
                self.conn, row_warnings, ("submission_id", "row_no", "warnings"), flagged
            )
        self.counts.warnings += len(flagged)
        while pending:
            first: dict[str, Pending] = {}
            spill: list[Pending] = []
            for p in pending:
                if p.key in first:
                    spill.append(p)
                else:
                    first[p.key] = p
            self._merge(list(first.values()))
            pending = spill

    def _merge(self, batch: list[Pending]) -> None:
        found = store.find(self.conn, self.spec.code, self.owner.id, [p.key for p in batch])
        new: list[Pending] = []
        changed: list[tuple[int, Pending]] = []
        foreign: list[tuple[Pending, int]] = []
        for p in batch:
            own = found.own.get(p.key)
            if own is None:
                if p.key in found.others and not self.spec.shared_records:
                    foreign.append((p, found.others[p.key]))
                else:
                    new.append(p)
            elif own[1] == p.content_hash:
                self.counts.duplicates += 1
            else:
                changed.append((own[0], p))
        if foreign:
            self._refuse_foreign(foreign)
        self._link([*new, *(p for _, p in changed)])
        if new:
            store.insert(
                self.conn,
                self.spec,
                (_version(p) for p in new),
                submission_id=self.submission_id,
                owner_id=self.owner.id,
                now=self.now,
            )
            self.counts.accepted += len(new)
        if changed:
            store.correct(
                self.conn,
                self.spec,
                [(rid, _version(p)) for rid, p in changed],
                submission_id=self.submission_id,
                now=self.now,
            )
            self.counts.updated += len(changed)

    def _refuse_foreign(self, foreign: list[tuple[Pending, int]]) -> None:
        """Quarantine rows matching another department's record, naming its owner."""
        owners = dict(
            dialect.select_in(
                self.conn, "departments", "id", ("name",), sorted({d for _, d in foreign})
            )
        )
        quarantined: list[tuple[Row, Checked]] = []
        for p, dept in foreign:
            data = p.checked.data or {}
            problem = owned_elsewhere(self.spec, data, owners.get(dept, f"部门 {dept}"))
            self.refused.append(problem)
            row = p.row or Row(p.checked.number, [_text(data.get(h)) for h in self.headers])
            quarantined.append((row, Checked(p.checked.number, None, [problem])))
        self.reject(quarantined)

    # -- subjects ------------------------------------------------------------------------

    def _link(self, batch: list[Pending]) -> None:
        if self._registration:
            assert self._roles is not None
            rows = [
                (p.checked.link_kind or "", p.checked.link_code or "", p.checked.data or {})
                for p in batch
            ]
            ids, relinked = registry.upsert(self.conn, self._roles, rows, self.now)
            self.counts.relinked += relinked
            for p in batch:
                p.subject_id = ids.get((p.checked.link_kind or "", p.checked.link_code or ""))
            return
        cache = self._subject_cache
        if len(cache) > 500_000:  # bounded: memory stays flat however many subjects
            cache.clear()
        candidates = [self._candidates(p) for p in batch]
        wanted: dict[str, set[str]] = {"uscc": set(), "reg_no": set(), "org_code": set()}
        for codes in candidates:
            for kind, code in codes:
                if (kind, code) not in cache:
                    wanted[kind].add(code)
        for kind, unknown in wanted.items():
            if unknown:
                found = dict(
                    dialect.select_in(self.conn, "subjects", kind, ("id",), sorted(unknown))
                )
                cache.update({(kind, code): found.get(code) for code in unknown})
        waiting: list[tuple[str, str, str, str]] = []
        for p, codes in zip(batch, candidates, strict=True):
            for candidate in codes:
                sid = cache.get(candidate)
                if sid is not None:
                    p.subject_id = sid
                    break
            if p.subject_id is None and p.checked.link_kind != "person":
                self.counts.unlinked += 1
                if len(codes) > 2 or (codes and codes[0][0] != "uscc" and len(codes) > 1):
                    # codes beyond its own and the one inside its USCC, which records index
                    first_kind, first_code = codes[0]
                    waiting.extend(
                        (self.spec.code, p.key, kind, code)
                        for kind, code in codes[1:]
                        if not (
                            first_kind == "uscc" and kind == "org_code" and code == first_code[8:17]
                        )
                    )
        if waiting:
            dialect.bulk_insert(
                self.conn, record_links, ("dataset", "dedupe_key", "kind", "code"), waiting
            )

    def _candidates(self, p: Pending) -> list[tuple[str, str]]:
        """The codes a record may link by, in order: USCC, registration no., organisation code
        (its own, then the one embedded in its USCC)."""
        data = p.checked.data or {}
        out = [(kind, data[code]) for kind, code in self._codes if code in data]
        if out and out[0][0] == "uscc":
            out.append(("org_code", out[0][1][8:17]))  # the organisation code inside the USCC
        return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _version(p: Pending) -> store.Version:
    c = p.checked
    return store.Version(
        p.key, p.content, p.content_hash, c.data or {}, c.number, p.subject_id, c.link_kind,
        c.link_code,
    )  # fmt: skip
