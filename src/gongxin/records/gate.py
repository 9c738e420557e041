"""The visibility gate: whether a record may be shown to an audience at a moment, and in what
form. Every read path (pages, JSON API, reports, open data, exchange) asks here; no other code
filters by publicity or masks personal data in records (the masks themselves: records/masks.py).

Public: only datasets whose 公开范围 is 社会公开, only within the record's window (a penalty's
publicity window, a licence's validity, a listing's listed period), never a withdrawn record,
never a natural person's record unless configured, and personal identifiers masked.
Departments: 社会公开 and 政务共享 datasets, withdrawn records excepted. The credit centre: all.

The decision apart from the day (:func:`facts`: status, natural person, shared, public, and the
record's :class:`Window`) is stored with every record version (records/decisions.py) and every
list and bulk read filters on it in SQL; ``decide`` asks the same window for one day, so the live
and the stored decision come from the same code. ``masked`` is applied on output. A
:class:`Gate` built once per dataset, audience and day gives ``decide``/``masked``/``view`` for
many records. What the gate needs of a spec (its rule, scope and masked
fields) is read once per spec object: specs are loaded data, never changed in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from gongxin.catalog.model import DatasetSpec, Visibility
from gongxin.clock import LONG_TERM
from gongxin.records.masks import MASKS, mask_person_name, mask_subject_name
from gongxin.records.publicity import Publicity, windows

NATURAL_PERSON = "自然人"
# A workflow's decision on a record version (records/decisions.set_status), kept in its data so
# that every reader and a recompute of the stored columns see it: ``objection`` (异议处理中:
# still shown, marked), ``repaired`` (信用修复: out of public view and out of force from the
# day in STATUS_ON), ``withdrawn`` (an objection found it wrong).
STATUS_KEY = "_gx_status"
STATUS_ON_KEY = "_gx_status_on"
INTERNAL_KEYS = (STATUS_KEY, STATUS_ON_KEY)  # never shown: ``masked`` drops them, ``mark`` says
OBJECTION_MARK = "异议处理中"
SPEC_CACHE_LIMIT = 1024  # spec objects whose rules are kept before the cache starts afresh
SAID_KEPT = 65536  # publicity windows whose decisions are kept before starting afresh


class Audience(StrEnum):
    PUBLIC = "public"
    DEPARTMENT = "department"
    CENTRE = "centre"


@dataclass(frozen=True)
class Decision:
    visible: bool
    zh: str
    en: str
    until: date | None = None  # the last day it stays visible, when known


def _date(data: dict[str, Any], code: str | None) -> date | None:
    value = data.get(code) if code else None
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _hidden(zh: str, en: str) -> Decision:
    return Decision(False, zh, en)


def decide(spec: DatasetSpec, data: dict[str, Any], audience: Audience, as_of: date) -> Decision:
    """Whether ``audience`` may see this record of ``spec`` on ``as_of``."""
    return _decide(_rules_of(spec), data, audience, as_of)


def masked(spec: DatasetSpec, data: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """The record as ``audience`` may read it: personal data masked for the public."""
    return _masked(_rules_of(spec), data, audience)


def view(
    spec: DatasetSpec, data: dict[str, Any], audience: Audience, as_of: date
) -> dict[str, Any] | None:
    """The record as shown to ``audience`` on ``as_of``, or None when it may not be shown."""
    rules = _rules_of(spec)
    if not _decide(rules, data, audience, as_of).visible:
        return None
    return _masked(rules, data, audience)


class Gate:
    """The gate for one dataset, audience and day, built once for many records: the same
    answers as ``decide``/``masked``/``view``, without looking the spec up per record."""

    __slots__ = ("_rules", "as_of", "audience", "spec")

    def __init__(self, spec: DatasetSpec, audience: Audience, as_of: date) -> None:
        self.spec, self.audience, self.as_of = spec, audience, as_of
        self._rules = _rules_of(spec)

    def decide(self, data: dict[str, Any]) -> Decision:
        return _decide(self._rules, data, self.audience, self.as_of)

    def masked(self, data: dict[str, Any]) -> dict[str, Any]:
        return _masked(self._rules, data, self.audience)

    def masked_own(self, data: dict[str, Any]) -> dict[str, Any]:
        """``masked`` of a record the caller owns (e.g. just parsed): masked in place, not
        copied (the workflow's internal keys dropped; read :func:`mark` first)."""
        for key in INTERNAL_KEYS:
            data.pop(key, None)
        if self.audience is not Audience.PUBLIC:
            return data
        for code, mask in self._rules.masks:
            value = data.get(code)
            if isinstance(value, str) and value:
                data[code] = mask(value)
        return data

    def view(self, data: dict[str, Any]) -> dict[str, Any] | None:
        rules, audience = self._rules, self.audience
        if not _decide(rules, data, audience, self.as_of).visible:
            return None
        return _masked(rules, data, audience)

    def view_many(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any] | None]:
        """``view`` of each record, in order: None where it may not be shown."""
        rules, audience, as_of = self._rules, self.audience, self.as_of
        for data in rows:
            if _decide(rules, data, audience, as_of).visible:
                yield _masked(rules, data, audience)
            else:
                yield None


def view_many(
    spec: DatasetSpec, rows: Iterable[dict[str, Any]], audience: Audience, as_of: date
) -> Iterator[dict[str, Any] | None]:
    """``view`` of each record of ``spec``, in order: None where it may not be shown."""
    return Gate(spec, audience, as_of).view_many(rows)


def in_force(spec: DatasetSpec, data: dict[str, Any], day: date) -> Decision:
    """Whether the record is in force on ``day``, whatever the audience: not withdrawn and
    within its window (a penalty's publicity period, a licence's validity, a list entry from
    listing until removal or planned end). Natural persons' records and data that is not
    社会公开 are in force by the same window; only who may see them differs."""
    rules = _rules_of(spec)
    return _withdrawn(rules, data) or _window(rules, data).on(day)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the gate decides of one record version, whatever the day: every audience's
    decision on any day follows from these and the day (see records/decisions.py, which
    stores them beside the record)."""

    status: str  # in_force | withdrawn (and, from later decisions, repaired | objection)
    natural_person: bool
    shared: bool  # departments may read it
    public: bool  # the public may read it within its window
    in_force: bool  # it has a window at all and is not withdrawn
    start: date | None  # first day of the window (None: from the first); kept when it never
    last: date | None  # opens, as the day it stopped; last day of it (None: open-ended)


def facts(spec: DatasetSpec, data: dict[str, Any]) -> Facts:
    """The gate's decision for one record version, apart from the day."""
    rules = _rules_of(spec)
    withdrawn = _withdrawn(rules, data) is not None
    window = _window(rules, data)
    natural = _natural(rules, data)
    opens = window.opens and not withdrawn
    hidden_person = natural and not windows().selection.publish_natural_persons
    marked = data.get(STATUS_KEY)
    status = marked if isinstance(marked, str) and marked in _MARKS else "in_force"
    return Facts(
        status="withdrawn" if withdrawn else status,
        natural_person=natural,
        shared=not withdrawn and not rules.by_consent,
        public=opens and rules.public and not hidden_person,
        in_force=opens,
        start=window.start,
        last=window.last,
    )


_MARKS = ("objection", "repaired", "withdrawn", "revoked")
_MARK_WORDS = {
    "objection": (OBJECTION_MARK, "objection pending"),
    "repaired": ("已信用修复", "credit repaired"),
    "withdrawn": ("经异议处理已撤回", "withdrawn after an objection"),
    "revoked": ("已撤销", "revoked"),
}


def mark(data: dict[str, Any]) -> dict[str, Any] | None:
    """The workflow's status of a record version as every output shows it, in place of the
    internal keys that ``masked`` drops: ``{"code", "zh", "en", "since"}`` (e.g. ``objection``,
    异议处理中, from the day it was filed), or None when no workflow has marked it."""
    code = data.get(STATUS_KEY)
    if not isinstance(code, str) or code not in _MARK_WORDS:
        return None
    zh, en = _MARK_WORDS[code]
    since = _date(data, STATUS_ON_KEY)
    return {"code": code, "zh": zh, "en": en, "since": since.isoformat() if since else None}


def publicity_of(spec: DatasetSpec, data: dict[str, Any]) -> Publicity | None:
    """A penalty's publicity window under the regime in force (its minimum period included), or
    None for records whose window is not a penalty's (or that name no decision date)."""
    rule = spec.visibility
    start = _date(data, rule.start)
    if rule.kind != "penalty" or start is None:
        return None
    return _penalty_publicity(rule, data, start)


def _penalty_publicity(rule: Visibility, data: dict[str, Any], start: date) -> Publicity:
    """The window of the regime in force for a penalty decided on ``start`` with these facts
    (as ``publicity(PenaltyFacts(...))``, without building the facts)."""
    regimes = windows()
    cats = data.get(rule.categories) if rule.categories else None
    severity = data.get(rule.severity) if rule.severity else None
    sector = data.get(rule.sector) if rule.sector else None
    name = str(data.get(rule.authority) or "") if rule.authority else ""
    return regimes.penalty(
        start,
        tuple(cats) if isinstance(cats, list) else ((cats,) if cats else ()),
        severity if isinstance(severity, str) else None,
        sector if isinstance(sector, str) else None,
        _decimal(data.get(rule.fine)) if rule.fine else None,
        regimes.market_regulation(name),
    )


# --- what a spec asks of the gate, read once per spec -------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    spec: DatasetSpec  # held, so that its id is not reused while cached
    rule: Visibility
    status: str | None
    withdrawn: tuple[str, ...]
    public: bool  # 社会公开
    by_consent: bool  # 授权查询
    not_public: Decision
    # (field, mask) of every masked field of every layout, each field once (CF_XDR_ZJHM is in
    # the current and the 2016 layout: masking it twice would hide the visible digits too)
    masks: tuple[tuple[str, Callable[[str], str]], ...]
    name: str | None  # the subject's name field, masked for a 个体工商户 named after its operator
    category: str | None  # 行政相对人类别 / 主体类别
    operators: tuple[str, ...]  # the person-name fields (法定代表人 / 经营者)


_rules: dict[int, _Rules] = {}


def _rules_of(spec: DatasetSpec) -> _Rules:
    found = _rules.get(id(spec))
    if found is None or found.spec is not spec:
        if len(_rules) >= SPEC_CACHE_LIMIT:
            _rules.clear()
        found = _rules[id(spec)] = _read_rules(spec)
    return found


def _read_rules(spec: DatasetSpec) -> _Rules:
    rule, scope = spec.visibility, spec.publicity_scope
    by_code: dict[str, Callable[[str], str]] = {}
    for _, fields in spec.layouts():  # legacy layouts too; the first layout naming a field wins
        for f in fields:
            if f.mask is not None and f.code not in by_code:
                by_code[f.code] = MASKS[f.mask]
    masks = tuple(by_code.items())
    operators = tuple(code for code, mask in masks if mask is mask_person_name)
    keys = spec.subject_keys
    return _Rules(
        spec=spec,
        rule=rule,
        status=rule.status or None,
        withdrawn=tuple(rule.withdrawn_values),
        public=scope == "社会公开",
        by_consent=scope == "授权查询",
        not_public=_hidden(f"公开范围为{scope}，不向社会公开", "not public data"),
        masks=masks,
        name=keys.name,
        category=keys.category or rule.person_category,
        operators=operators,
    )


_CENTRE = Decision(True, "信用中心可见全部记录", "the credit centre sees every record")
_SHARED = Decision(True, "政务共享", "shared with government departments")
_BY_CONSENT = Decision(
    False, "授权查询的信息须经主体授权", "shared only with the subject's consent"
)
_NATURAL = Decision(False, "自然人信息不向社会公开", "natural persons' records are not public")
_ALWAYS = Decision(True, "公开信息", "public record")
_NO_DATE = Decision(False, "缺少处罚决定日期，无法确定公示期", "no decision date: window unknown")


@dataclass(frozen=True, slots=True)
class Window:
    """The days a record version is in force, whatever the audience: from ``start`` (None:
    from the first) to ``last`` (None: open-ended), both included. A window that never opens
    (a penalty without a date, a warning alone that is not published) says why in ``shown``.
    The stored decision columns (records/decisions.py) are this window; :meth:`on` is the
    gate's decision for the public on a day, reasons included."""

    opens: bool
    start: date | None
    last: date | None
    shown: Decision  # within the window (or, when it never opens, why not)
    ended: Decision | None = None  # a penalty: once its publicity ended
    end: date | None = None  # a period: its planned end (长期 left out)
    removed: date | None = None  # a listing: the day it was removed

    def on(self, day: date) -> Decision:
        start = self.start
        if start is not None and day < start:
            return _hidden(f"{start.isoformat()} 起公示", f"public from {start.isoformat()}")
        if not self.opens:
            return self.shown
        last = self.last
        if last is None or day <= last:
            return self.shown
        if self.ended is not None:
            return self.ended
        removed = self.removed
        if removed is not None and removed <= day:
            iso = removed.isoformat()
            return _hidden(f"已于 {iso} 移出名单", f"removed on {iso}")
        end = self.end.isoformat() if self.end else ""
        return _hidden(f"已于 {end} 到期", f"expired on {end}")


_ALWAYS_WINDOW = Window(True, None, None, _ALWAYS)
_NO_DATE_WINDOW = Window(False, None, None, _NO_DATE)
_DAY = timedelta(days=1)


_BY_OBJECTION = _hidden("经异议处理，记录已撤回", "withdrawn after an objection")


def _withdrawn(rules: _Rules, data: dict[str, Any]) -> Decision | None:
    """Why the record's status withdraws it from everyone but the centre, or None."""
    if data.get(STATUS_KEY) in ("withdrawn", "revoked"):
        return _BY_OBJECTION
    if rules.status is not None:
        status = data.get(rules.status)
        if status is not None and status in rules.withdrawn:
            return _hidden(f"记录状态为“{status}”，已撤回", f"withdrawn (status {status})")
    return None


def _natural(rules: _Rules, data: dict[str, Any]) -> bool:
    category = rules.rule.person_category
    return category is not None and data.get(category) == NATURAL_PERSON


def _decide(rules: _Rules, data: dict[str, Any], audience: Audience, as_of: date) -> Decision:
    if audience is Audience.CENTRE:
        return _CENTRE
    withdrawn = _withdrawn(rules, data)
    if withdrawn is not None:
        return withdrawn
    if audience is Audience.DEPARTMENT:
        return _BY_CONSENT if rules.by_consent else _SHARED
    if not rules.public:
        return rules.not_public
    if _natural(rules, data) and not windows().selection.publish_natural_persons:
        return _NATURAL
    decision = _window(rules, data).on(as_of)
    if decision.visible and data.get(STATUS_KEY) == "objection":
        zh, en = f"{OBJECTION_MARK}；{decision.zh}", f"objection pending; {decision.en}"
        return Decision(True, zh, en, decision.until)
    return decision


def _window(rules: _Rules, data: dict[str, Any]) -> Window:
    window = _own_window(rules, data)
    if data.get(STATUS_KEY) == "repaired":
        on = _date(data, STATUS_ON_KEY)
        if on is not None:
            return _repaired(window, on)
    return window


def _repaired(window: Window, on: date) -> Window:
    """The window of a record repaired on ``on``: it ends the day before (or stays as it was
    when it had already ended); its reason after that says so."""
    iso = on.isoformat()
    ended = _hidden(f"已于 {iso} 信用修复，停止公示", f"credit repaired on {iso}: no longer public")
    last = on - _DAY
    if window.last is not None and window.last < last:
        last = window.last
    return Window(window.opens, window.start, last, window.shown, ended, window.end, window.removed)


def _own_window(rules: _Rules, data: dict[str, Any]) -> Window:
    rule = rules.rule
    if rule.kind == "always":
        return _ALWAYS_WINDOW
    start = _date(data, rule.start)
    if rule.kind == "penalty":
        return _penalty(rule, data, start) if start is not None else _NO_DATE_WINDOW
    end = _date(data, rule.end)
    removed = _date(data, rule.removed) if rule.kind == "listing" else None
    if end == LONG_TERM:
        end = None
    last = end
    if removed is not None and (last is None or removed - _DAY < last):
        last = removed - _DAY
    shown_end = end.isoformat() if end else "长期"
    shown = Decision(True, f"有效期至{shown_end}", f"valid until {shown_end}", end)
    return Window(True, start, last, shown, None, end, removed)


def _penalty(rule: Visibility, data: dict[str, Any], start: date) -> Window:
    publicity = _penalty_publicity(rule, data, start)
    said = _said.get(id(publicity))
    if said is None or said[0] is not publicity:
        if len(_said) >= SAID_KEPT:
            _said.clear()
        said = _said[id(publicity)] = (publicity, _window_of(publicity))
    return said[1]


# the gate's window of a publicity window (its days and sayings): windows are kept and shared
_said: dict[int, tuple[Publicity, Window]] = {}


def _window_of(publicity: Publicity) -> Window:
    if not publicity.published:
        return Window(False, publicity.start, None, _hidden(publicity.zh, publicity.en))
    end = publicity.end
    last = end - _DAY if end is not None else None
    shown = Decision(True, publicity.zh, publicity.en, end)
    iso = end.isoformat() if end else ""
    ended = _hidden(
        f"公示期已于 {iso} 届满；{publicity.zh}", f"publicity ended {iso}; {publicity.en}"
    )
    return Window(True, publicity.start, last, shown, ended)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _masked(rules: _Rules, data: dict[str, Any], audience: Audience) -> dict[str, Any]:
    out = dict(data)
    for key in INTERNAL_KEYS:
        out.pop(key, None)
    if audience is not Audience.PUBLIC:
        return out
    name_field = rules.name
    name = out.get(name_field) if name_field else None
    if name_field and isinstance(name, str) and name and rules.category:
        operators = [v for v in map(data.get, rules.operators) if isinstance(v, str)]
        out[name_field] = mask_subject_name(name, data.get(rules.category), operators)
    for code, mask in rules.masks:
        value = out.get(code)
        if isinstance(value, str) and value:
            out[code] = mask(value)
    return out
