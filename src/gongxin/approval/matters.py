"""Approval matters (审批事项) as data: ``data/matters.yaml``, or a deployment's own file
(``GONGXIN_APPROVAL_MATTERS``), validated strictly when read.

A matter names the departments that review it in parallel and each one's deadline in working
days, its materials, whether 容缺受理 and 告知承诺 are allowed, and the scene of its credit
check. The credit gate says which list types bar an applicant from 告知承诺 and 容缺受理.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput
from gongxin.sanctions import lists, scenes


class Department(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=2, max_length=100)
    days: int = Field(ge=1, le=200)  # its own deadline, working days from receipt


class Material(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")
    name: str = Field(min_length=1, max_length=100)
    main: bool = False  # 主要材料: never missing, even with 容缺受理
    promise: bool = False  # a written promise may replace it (告知承诺)


class Matter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")
    name: str = Field(min_length=2, max_length=100)
    name_en: str = ""
    scene: str  # resolved to the scene's code when loaded
    legal_basis: str = ""
    statutory_days: int = Field(ge=1, le=400)  # 法定时限
    promised_days: int = Field(ge=1, le=400)  # 承诺时限
    project_code: bool = False
    departments: tuple[Department, ...] = Field(min_length=1)
    materials: tuple[Material, ...] = Field(min_length=1)
    tolerance: bool = False  # 容缺受理
    tolerance_days: int = Field(default=0, ge=0, le=400)
    promise: bool = False  # 告知承诺

    @model_validator(mode="after")
    def _consistent(self) -> Matter:
        if self.promised_days > self.statutory_days:
            raise ValueError(
                f"{self.code}: promised_days exceeds statutory_days (承诺时限超过法定时限)"
            )
        names = [d.name for d in self.departments]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.code}: a department is named twice (审查部门重复)")
        late = [d.name for d in self.departments if d.days > self.promised_days]
        if late:
            raise ValueError(
                f"{self.code}: {late[0]}'s days exceed promised_days (部门时限超过承诺时限)"
            )
        codes = [m.code for m in self.materials]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: a material code is used twice (材料代码重复)")
        if self.tolerance and not 1 <= self.tolerance_days <= self.promised_days:
            raise ValueError(
                f"{self.code}: tolerance needs 1 ≤ tolerance_days ≤ promised_days "
                "(容缺补正期限不得超过承诺时限)"
            )
        return self

    def department(self, name: str) -> Department:
        for d in self.departments:
            if d.name == name:
                return d
        valid = [d.name for d in self.departments]
        raise InvalidInput(
            f"事项“{self.name}”没有审查部门“{name[:100]}”；可选：{'、'.join(valid)}",
            f"matter {self.code} has no department {name[:100]!r}; valid: {', '.join(valid)}",
            field="department",
            value=name[:100],
            valid=valid,
        )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump() | {"scene_name": scenes.by_code(self.scene).name}


class CreditGate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    promise: tuple[str, ...] = ()
    tolerance: tuple[str, ...] = ()


class Book(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    credit_gate: CreditGate = CreditGate()
    matters: tuple[Matter, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Book:
        codes = [m.code for m in self.matters]
        if len(set(codes)) != len(codes):
            raise ValueError("a matter code is used twice (事项代码重复)")
        return self

    def get(self, code: str) -> Matter:
        for m in self.matters:
            if m.code == code or m.name == code:
                return m
        valid = [m.code for m in self.matters]
        raise InvalidInput(
            f"未知的审批事项：{code[:60]}；可选："
            + "、".join(f"{m.code}（{m.name}）" for m in self.matters),
            f"unknown approval matter {code[:60]!r}; valid: {', '.join(valid)}",
            field="matter",
            value=code[:60],
            valid=valid,
        )

    def departments(self) -> list[str]:
        return sorted({d.name for m in self.matters for d in m.departments})


def _refuse(source: str, zh: str, en: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        f"审批事项文件 {source}：{zh}", f"approval matters {source}: {en}", file=source, **details
    )


def parse(text: str, source: str, catalog: Catalog) -> Book:
    """A matters file, validated: layout, numbers, scenes (→ their codes) and list types."""
    try:
        raw = yaml.safe_load(text)
        book = Book.model_validate(raw)
    except yaml.YAMLError as exc:
        raise _refuse(source, f"不是有效的 YAML：{exc}", f"not valid YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _refuse(
            source,
            f"{where}：{first['msg']}",
            f"{where}: {first['msg']}",
            key=where,
            rule=first["type"],
        ) from None
    fixed = []
    for m in book.matters:
        found = scenes.lookup(m.scene)
        if found is None:
            valid = [s.code for s in scenes.scenes()]
            raise _refuse(
                source,
                f"事项 {m.code} 的核查场景“{m.scene}”不存在；可选：{'、'.join(valid)}",
                f"matter {m.code}: unknown scene {m.scene!r}; valid: {', '.join(valid)}",
                key=f"{m.code}.scene",
                valid=valid,
            )
        fixed.append(m.model_copy(update={"scene": found.code}))
    known = set(lists.list_types(catalog))
    for mode in ("promise", "tolerance"):
        for code in getattr(book.credit_gate, mode):
            if code not in known:
                raise _refuse(
                    source,
                    f"credit_gate.{mode} 的名单类型 {code} 不存在；可选："
                    + "、".join(sorted(known)),
                    f"credit_gate.{mode}: unknown list type {code!r}",
                    key=f"credit_gate.{mode}",
                    valid=sorted(known),
                )
    return book.model_copy(update={"matters": tuple(fixed)})


@cache
def _packaged_text() -> str:
    return resources.files("gongxin.approval").joinpath("data/matters.yaml").read_text("utf-8")


_loaded: dict[tuple[str, int], Book] = {}


def load(catalog: Catalog, path: Path | None = None) -> Book:
    """The deployment's matters (``path``) or the packaged ones, parsed once per file text."""
    if path is None:
        text, source = _packaged_text(), "approval/data/matters.yaml"
    else:
        try:
            text, source = path.read_text("utf-8"), str(path)
        except OSError as exc:
            raise _refuse(
                str(path), f"无法读取：{exc.strerror}", f"cannot read: {exc.strerror}"
            ) from None
    key = (text, id(catalog))
    if key not in _loaded:
        _loaded[key] = parse(text, source, catalog)
    return _loaded[key]
