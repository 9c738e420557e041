"""The Solr-style query language of package_search's ``q`` and ``fq``, over packages in memory.

A query is clauses: ``field:value``, ``field:"quoted value"``, ``field:[FROM TO UNTIL]`` (a
range, ``{…}`` for exclusive ends, ``*`` for an open end, ``NOW-7DAYS``, ``NOW/DAY`` … for
Solr's date math), a bare word or ``"phrase"`` (free
text), or ``*:*`` (everything). ``-clause`` or ``NOT clause`` negates; a leading ``+`` is allowed.
Clauses separated by spaces or ``AND`` must all hold; ``OR`` joins the clauses on either side
into one alternative, so ``organization:a OR organization:b metadata_modified:[X TO *]`` (the
CKAN harvester's gather query) means (a or b) and modified since X. Parentheses group.
A value ending in ``*`` matches by prefix; ``field:*`` means the field has a value.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NoReturn

from gongxin.opendata.packages import FORMATS, Package

Predicate = Callable[[Package], bool]
MAX_DEPTH = 32  # nested parentheses and NOTs


class BadQuery(ValueError):
    def __init__(self, parameter: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.parameter = parameter
        self.zh = zh
        self.en = en


def values(pkg: Package, field: str, license_id: str) -> tuple[str, ...]:
    """The values of a field of a package, as text."""
    o = pkg.organization
    table: dict[str, Callable[[], tuple[str, ...]]] = {
        "organization": lambda: (o.name,), "owner_org": lambda: (o.id,),
        "groups": lambda: (pkg.theme.name,), "tags": lambda: pkg.tags,
        "res_format": lambda: tuple(FORMATS), "name": lambda: (pkg.name,),
        "id": lambda: (pkg.id,), "license_id": lambda: (license_id,),
        "title": lambda: (pkg.spec.name,), "type": lambda: ("dataset",),
        "dataset_type": lambda: ("dataset",), "state": lambda: ("active",),
        "private": lambda: ("false",), "capacity": lambda: ("public",),
        "text": lambda: (pkg.text(),),
    }  # fmt: skip
    return table[field]()


TEXT_FIELDS = ("text", "title")  # matched by word (substring), not whole value
DATE_FIELDS = ("metadata_modified", "metadata_created")
FIELDS = (
    "organization", "owner_org", "groups", "tags", "res_format", "name", "id", "license_id",
    "title", "type", "dataset_type", "state", "private", "capacity", "text", *DATE_FIELDS,
)  # fmt: skip

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\() | (?P<close>\)) |
      (?P<op>(?:AND|OR|NOT|&&|\|\|)(?=[\s()]|$)) |
      (?P<sign>[+-]|!)?(?:
        (?P<field>[A-Za-z_][A-Za-z0-9_.]*|\*):(?:
          (?P<lo>[\[{])\s*(?P<start>\S+)\s+TO\s+(?P<end>[^\]}\s]+)\s*(?P<hi>[\]}]) |
          "(?P<fquoted>[^"]*)" |
          (?P<fbare>[^\s()"]+))
        | "(?P<phrase>[^"]*)" | (?P<word>[^\s()"]+)
      )
    )""",
    re.VERBOSE,
)


_MATH = re.compile(r"([+-])(\d{1,6})(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?|/(YEAR|MONTH|DAY|HOUR)S?")


def _shift(moment: datetime, sign: str, n: int, unit: str) -> datetime:
    n = n if sign == "+" else -n
    if unit in ("YEAR", "MONTH"):
        months = moment.year * 12 + moment.month - 1 + (n * 12 if unit == "YEAR" else n)
        year, month = divmod(months, 12)
        if not 1 <= year <= 9999:
            raise OverflowError(year)
        day = min(moment.day, monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)
    return moment + timedelta(**{unit.lower() + "s": n})


def _round(moment: datetime, unit: str) -> datetime:
    moment = moment.replace(microsecond=0, second=0, minute=0)
    if unit in ("DAY", "MONTH", "YEAR"):
        moment = moment.replace(hour=0)
    if unit in ("MONTH", "YEAR"):
        moment = moment.replace(day=1)
    return moment.replace(month=1) if unit == "YEAR" else moment


def _date_math(text: str, now: datetime) -> datetime | None:
    """Solr's date math on NOW (in UTC): ``NOW``, ``NOW-7DAYS``, ``NOW/DAY-1MONTH`` …; None
    when ``text`` is not date math."""
    if not text.startswith("NOW"):
        return None
    moment = now.astimezone(UTC)
    pos = 3
    while pos < len(text):
        step = _MATH.match(text, pos)
        if step is None:
            return None
        sign, number, unit, rounding = step.groups()
        moment = _round(moment, rounding) if rounding else _shift(moment, sign, int(number), unit)
        pos = step.end()
    return moment


def _date_bound(text: str, parameter: str, now: datetime) -> datetime | None:
    if text == "*":
        return None
    try:
        shifted = _date_math(text, now)
        if shifted is not None:
            return shifted
        if "T" not in text:
            moment = datetime.combine(date.fromisoformat(text), time())
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise BadQuery(
            parameter,
            f"无法识别的时间“{text}”；格式为 2020-01-01T00:00:00Z、NOW-7DAYS 或 *",
            f"cannot read the time {text!r}; use 2020-01-01T00:00:00Z, NOW-7DAYS or *",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(pkg: Package, field: str) -> datetime:
    moment = pkg.modified if field == "metadata_modified" else pkg.created
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Parser:
    def __init__(self, text: str, parameter: str, license_id: str, now: datetime) -> None:
        self.text = text
        self.parameter = parameter
        self.license_id = license_id
        self.now = now
        self.tokens: list[re.Match[str]] = []
        pos = 0
        while text[pos:].strip():
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                self.fail(text[pos:].strip())
            self.tokens.append(match)
            pos = match.end()
        self.at = 0
        self.depth = 0
        self.words: list[str] = []

    def fail(self, near: str) -> NoReturn:
        raise BadQuery(
            self.parameter,
            f"无法解析的查询：“{near[:40]}”；格式为 字段:值、字段:[起 TO 止]，以空格、AND、OR 连接",
            f"cannot parse the query near {near[:40]!r}; use field:value or field:[FROM TO "
            "UNTIL], joined by spaces, AND or OR",
        )

    def peek(self, kind: str) -> str | None:
        if self.at < len(self.tokens):
            value = self.tokens[self.at].group(kind)
            return value if isinstance(value, str) else None
        return None

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda pkg: True
        keeps = self.conjunction()
        if self.at < len(self.tokens):
            self.fail(self.tokens[self.at].group(0))
        return keeps

    def conjunction(self) -> Predicate:
        parts = [self.disjunction()]
        while self.at < len(self.tokens) and self.peek("close") is None:
            if self.peek("op") in ("AND", "&&"):
                self.at += 1
            parts.append(self.disjunction())
        return parts[0] if len(parts) == 1 else lambda pkg: all(p(pkg) for p in parts)

    def disjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.peek("op") in ("OR", "||"):
            self.at += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else lambda pkg: any(p(pkg) for p in parts)

    def unary(self) -> Predicate:
        if self.at >= len(self.tokens):
            self.fail(self.text[-20:] or "(空)")
        token = self.tokens[self.at]
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise BadQuery(
                self.parameter,
                f"查询嵌套过深（括号或 NOT 超过 {MAX_DEPTH} 层）",
                f"the query nests too deep (more than {MAX_DEPTH} parentheses or NOTs)",
            )
        try:
            return self._unary(token)
        finally:
            self.depth -= 1

    def _unary(self, token: re.Match[str]) -> Predicate:
        if token.group("op") in ("NOT",):
            self.at += 1
            inner = self.unary()
            return lambda pkg: not inner(pkg)
        if token.group("op") is not None or token.group("close") is not None:
            self.fail(token.group(0))
        self.at += 1
        if token.group("open") is not None:
            inner = self.conjunction()
            if self.peek("close") is None:
                self.fail(self.text[token.start() :])
            self.at += 1
            return inner
        keeps = self.clause(token)
        if token.group("sign") in ("-", "!"):
            return lambda pkg: not keeps(pkg)
        return keeps

    def clause(self, token: re.Match[str]) -> Predicate:
        field = token.group("field")
        if field is None:
            word = (token.group("phrase") or token.group("word") or "").casefold()
            if token.group("sign") is None:
                self.words.append(word)
            return lambda pkg: word in pkg.text()
        if field == "*":
            if (token.group("fbare") or "") != "*":
                self.fail(token.group(0))
            return lambda pkg: True
        if field not in FIELDS:
            raise BadQuery(
                self.parameter,
                f"不能按“{field}”查询；可用字段：{'、'.join(FIELDS)}",
                f"cannot query the field {field!r}; fields: {', '.join(FIELDS)}",
            )
        if token.group("lo") is not None:
            return self.range(token, field)
        value = token.group("fquoted")
        value = token.group("fbare") if value is None else value
        if field in DATE_FIELDS:
            if value == "*":
                return lambda pkg: True
            moment = _date_bound(value, self.parameter, self.now)
            return lambda pkg: _moment(pkg, field) == moment
        return self.match(field, value.casefold())

    def match(self, field: str, wanted: str) -> Predicate:
        licence = self.license_id
        if wanted == "*":
            return lambda pkg: any(values(pkg, field, licence))
        if field in TEXT_FIELDS:
            return lambda pkg: any(wanted in v.casefold() for v in values(pkg, field, licence))
        if wanted.endswith("*"):
            stem = wanted[:-1]
            return lambda pkg: any(
                v.casefold().startswith(stem) for v in values(pkg, field, licence)
            )
        return lambda pkg: any(v.casefold() == wanted for v in values(pkg, field, licence))

    def range(self, token: re.Match[str], field: str) -> Predicate:
        if field not in DATE_FIELDS:
            raise BadQuery(
                self.parameter,
                f"只有 {'、'.join(DATE_FIELDS)} 可按范围查询，“{field}”不可",
                f"only {', '.join(DATE_FIELDS)} take a range, not {field!r}",
            )
        start = _date_bound(token.group("start"), self.parameter, self.now)
        end = _date_bound(token.group("end"), self.parameter, self.now)
        open_start, open_end = token.group("lo") == "{", token.group("hi") == "}"

        def keeps(pkg: Package) -> bool:
            moment = _moment(pkg, field)
            if start is not None and (moment < start or (open_start and moment == start)):
                return False
            return end is None or not (moment > end or (open_end and moment == end))

        return keeps


def parse(text: str, parameter: str, license_id: str, now: datetime) -> tuple[Predicate, list[str]]:
    """The predicate of a ``q`` or ``fq`` text, and the free-text words it asks for (for
    ranking); ``now`` is NOW in date math."""
    parser = _Parser(text, parameter, license_id, now)
    keeps = parser.parse()
    return keeps, parser.words
