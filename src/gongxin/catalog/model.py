"""The shape of a dataset spec: what a department's file must contain, as data.

A spec is one YAML file in ``catalog/specs/``. Code interprets it; laws change without code
changes. Field codes are the storage keys of a record's normalised values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gongxin.ids import uscc

FieldType = Literal[
    "text",  # free text; max_length applies
    "uscc",  # 统一社会信用代码, GB 32100-2015
    "reg_no",  # 15-digit 工商注册号, GS 15-2006
    "org_code",  # 组织机构代码, GB 11714
    "resident_id",  # 公民身份号码, GB 11643
    "subject_code",  # a registration key: a USCC, or a 15-digit registration number
    "id_number",  # an ID number whose kind is named by another field (id_type_field)
    "date",  # a calendar date; many spellings accepted, stored ISO
    "decimal",  # a number with `scale` decimals
    "integer",
    "enum",  # one of `values` (or several when `multiple`)
    "capital",  # a registered-capital amount with its unit, e.g. 2,000(万元人民币)
]

PublicityScope = Literal["社会公开", "政务共享", "授权查询"]
ShareType = Literal["无条件", "有条件", "不予"]
# 更新周期 (domain/catalog_and_sharing.md §4): the enum of 发改高技〔2017〕1272号
UpdateCycle = Literal["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "其他"]
SubjectRole = Literal["registration", "counterpart"]
MaskRule = Literal["id_number", "person_name", "hidden"]


class Condition(BaseModel):
    """A condition on another field of the same row, e.g. 行政相对人类别 in [法人…]."""

    model_config = ConfigDict(extra="forbid")

    field: str
    in_: list[str] | None = Field(default=None, alias="in")
    contains: str | None = None  # for multi-valued enums: one of the values equals this
    present: bool | None = None  # the field has a (non-empty) value

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [self.in_ is not None, self.contains is not None, self.present is not None]
        if sum(tests) != 1:
            raise ValueError("a condition has exactly one of: in, contains, present")
        return self


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str  # field code, e.g. CF_WSH; the storage key
    name: str  # the standard's Chinese name, used as the template header
    aliases: list[str] = []  # other accepted headers: plain names, legacy names, JSON keys
    name_en: str = ""
    type: FieldType = "text"
    required: bool = False
    required_when: Condition | None = None
    max_length: int | None = None
    min_length: int | None = None
    values: list[str] | None = None  # enum values
    multiple: bool = False  # enum: several values separated by one of `separators`
    separators: list[str] = [";", "；", ",", "，", "、", "|"]
    other_prefix: str | None = None  # enum: values starting with this are accepted ("其他-…")
    # enum: other spellings or legacy codes of a value, mapped to the canonical value
    # (e.g. "1": 有效); the canonical value is what is stored
    value_aliases: dict[str, str] = {}
    scale: int | None = None  # decimal places for decimals
    unit: str | None = None  # e.g. 万元
    positive_when: Condition | None = None  # the number must be > 0 when the condition holds
    not_after_today: bool = False  # dates: must not lie after the moment of submission
    long_term_sentinel: bool = False  # dates: 2099/12/31 means 长期 (long-term)
    not_before: str | None = None  # dates: field code of a date this one may not precede
    id_type_field: str | None = None  # id_number: the field naming the ID kind
    on_error: Literal["reject", "warn"] = "reject"  # warn: keep the raw text, flag the row
    mask: MaskRule | None = None  # how the visibility gate masks it for the public
    # resident_id: keep only the keyed hash (HMAC under GONGXIN_MATCH_KEY), never the number
    keyed_hash: bool = False
    note: str = ""  # what a clerk should enter (shown in the dictionary and template)

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type == "enum" and not self.values:
            raise ValueError(f"{self.code}: an enum field needs values")
        for alias, target in self.value_aliases.items():
            known = target in (self.values or []) or (
                self.other_prefix is not None and target.startswith(self.other_prefix)
            )
            if self.type != "enum" or not known:
                raise ValueError(f"{self.code}: value alias {alias!r} → {target!r} is not a value")
        if self.keyed_hash and (self.type != "resident_id" or self.mask != "hidden"):
            raise ValueError(f"{self.code}: keyed_hash needs type resident_id and mask hidden")
        if self.type == "id_number" and not self.id_type_field:
            raise ValueError(f"{self.code}: an id_number field needs id_type_field")
        return self

    @property
    def headers(self) -> list[str]:
        """Every header that maps to this field: the standard name, the code, the aliases."""
        return [self.name, self.code, *self.aliases]


class SubjectKeys(BaseModel):
    """Which fields of a row identify its subject, for linkage (field codes, or None)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str | None = None
    reg_no: str | None = None
    org_code: str | None = None
    person_id: str | None = None  # a natural person's ID number
    name: str | None = None
    category: str | None = None  # 行政相对人类别


class Visibility(BaseModel):
    """How the visibility gate judges a record of this dataset (field codes).

    ``always``: shown while the dataset is public (registration, commitments);
    ``penalty``: within the publicity window of its regime (records/regimes);
    ``valid_period``: from ``start`` to ``end`` (2099-12-31 = 长期), e.g. licences;
    ``listing``: from ``start`` (listed) until ``removed`` or the planned ``end``.
    A ``status`` value in ``withdrawn_values`` (撤销, 无效 …) hides the record from the public.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["always", "penalty", "valid_period", "listing"] = "always"
    start: str | None = None
    end: str | None = None
    removed: str | None = None
    status: str | None = None
    withdrawn_values: list[str] = []
    categories: str | None = None  # penalty categories (处罚类别)
    fine: str | None = None  # fine in 万元
    authority: str | None = None  # deciding authority's name
    person_category: str | None = None  # 行政相对人类别: natural persons are not public
    severity: str | None = None  # 轻微 / 一般 / 严重, which picks the window of a regime
    sector: str | None = None  # e.g. 安全生产, for sector minimums


class Layout(BaseModel):
    """An alternative column layout of the same dataset (e.g. the 2016 legacy 双公示 layout)."""

    model_config = ConfigDict(extra="forbid")

    name: str  # e.g. legacy_2016
    title: str  # e.g. 2016 版双公示格式
    fields: list[FieldSpec]


ResourceFormat = Literal[
    "电子文件", "电子表格", "数据库", "图形图像", "流媒体", "自描述格式", "服务接口"
]  # fmt: skip
ShareMethod = Literal["数据库", "文件下载", "服务接口"]
Secrecy = Literal["非涉密", "涉密"]
_DIGITS = {"class_code": 1, "item_code": 2, "catalog_code": 3}


class Classification(BaseModel):
    """信息资源分类: 类 (1 digit) / 项 (2) / 目 (3) / 细目 (variable length, optional)."""

    model_config = ConfigDict(extra="forbid")

    class_code: str  # 类, e.g. 1 = 基础信息资源
    class_name: str
    item_code: str  # 项, e.g. 04 = 社会信用
    item_name: str
    catalog_code: str  # 目, e.g. 003 = 行政管理信息
    catalog_name: str
    detail_code: str | None = None  # 细目, e.g. 02 = 行政处罚
    detail_name: str | None = None

    @model_validator(mode="after")
    def _codes(self) -> Classification:
        for name, width in _DIGITS.items():
            value = getattr(self, name)
            if not (value.isascii() and value.isdigit() and len(value) == width):
                raise ValueError(f"classification.{name} {value!r}: {width} digit(s) expected")
        detail = self.detail_code
        if detail is not None and not (detail.isascii() and detail.isdigit()):
            raise ValueError(f"classification.detail_code {detail!r}: digits expected")
        if (detail is None) != (self.detail_name is None):
            raise ValueError("classification: detail_code and detail_name go together")
        return self

    @property
    def code(self) -> str:
        """分类码: the codes of 类, 项, 目 and 细目 in a row, e.g. 10400302."""
        return self.class_code + self.item_code + self.catalog_code + (self.detail_code or "")

    @property
    def path(self) -> str:
        """The names from 类 down, e.g. 基础信息资源 / 社会信用 / 行政管理信息 / 行政处罚."""
        names = [self.class_name, self.item_name, self.catalog_name, self.detail_name]
        return " / ".join(n for n in names if n)


class Provider(BaseModel):
    """信息资源提供方 and its code (usually the provider's 统一社会信用代码)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    code: str | None = None

    @model_validator(mode="after")
    def _uscc(self) -> Provider:
        if self.code is not None and not uscc.is_valid(self.code):
            raise ValueError(f"resource.provider.code {self.code!r}: not a valid USCC")
        return self


class ResourceMeta(BaseModel):
    """The core metadata of a dataset as a 政务信息资源目录 entry, beyond the spec's own.

    Held elsewhere on the spec: name (信息资源名称), description (摘要), fields (信息项),
    share_type (共享类型), open (是否向社会开放), update_cycle (更新周期).
    """

    model_config = ConfigDict(extra="forbid")

    classification: Classification
    code: str  # 信息资源代码 = 分类码/顺序码, e.g. 10400302/000001
    provider: Provider
    format: ResourceFormat = "数据库"
    share_conditions: str = ""  # 共享条件
    share_methods: list[ShareMethod] = Field(min_length=1)  # 共享方式
    share_basis: str | None = None  # required when share_type is 有条件 or 不予
    open_conditions: str | None = None  # 开放条件, required when open
    published: date  # 发布日期
    related: list[str] = []  # 关联资源代码: other resources' codes
    secrecy: Secrecy = "非涉密"

    @model_validator(mode="after")
    def _code_fits_classification(self) -> ResourceMeta:
        prefix, _, seq = self.code.partition("/")
        if prefix != self.classification.code or not (
            seq.isascii() and seq.isdigit() and len(seq) == 6
        ):
            raise ValueError(
                f"resource.code {self.code!r}: expected {self.classification.code}/<6-digit "
                "sequence> (信息资源代码 = 分类码/顺序码)"
            )
        return self


class DatasetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str  # e.g. penalty
    name: str  # e.g. 行政处罚
    name_en: str
    version: str  # the spec's version, e.g. "2021"
    effective_from: date
    category: str  # 公共信用信息基础目录 category, e.g. 行政管理信息
    info_class: str = "其他信息"  # 基本信息 / 行政管理 / 诚实守信 / 严重失信 / 其他信息
    subject_role: SubjectRole = "counterpart"
    publicity_scope: PublicityScope = "社会公开"
    share_type: ShareType = "无条件"
    open: bool = False  # 开放属性: may be published as open data
    update_cycle: UpdateCycle = "实时"
    legal_basis: str  # 认定依据 / 法律依据
    description: str = ""
    list_type: bool = False  # a list dataset (名单) used by joint reward and punishment
    date_field: str | None = None  # the decision/listing date, for timeliness and ordering
    subject_keys: SubjectKeys = SubjectKeys()
    dedupe_key: list[str]  # field codes; "@subject" means the row's normalised subject code
    # Record ownership (docs/intake.md): the field naming the authority that decided a record
    # (处罚机关, 许可机关, 作出决定机关 …): it must be the submitting department or one it may file
    # for. ``shared_records``: several departments may each hold their own record under the same
    # dedupe key (else another department's matching row is refused). ``writers``: ``providers``
    # lets only the dataset's assigned providers submit (the registration dataset).
    authority_field: str | None = None
    shared_records: bool = False
    writers: Literal["any", "providers"] = "any"
    visibility: Visibility = Visibility()
    fields: list[FieldSpec]  # the current layout
    legacy_layouts: list[Layout] = []
    # 政务信息资源目录 core metadata not held above (发改高技〔2017〕1272号 / GB/T 21063)
    resource: ResourceMeta | None = None

    @model_validator(mode="after")
    def _share_basis(self) -> DatasetSpec:
        r = self.resource
        if r is None:
            return self
        if self.share_type != "无条件" and not (r.share_basis or "").strip():
            raise ValueError(
                f"{self.code}: share_type {self.share_type} needs resource.share_basis "
                "(共享类型为有条件或不予时须写明法律、行政法规或党中央、国务院政策依据)"
            )
        if self.share_type == "有条件" and not r.share_conditions.strip():
            raise ValueError(f"{self.code}: share_type 有条件 needs resource.share_conditions")
        if self.open and not (r.open_conditions or "").strip():
            raise ValueError(f"{self.code}: open: true needs resource.open_conditions (开放条件)")
        return self

    @model_validator(mode="after")
    def _references_exist(self) -> DatasetSpec:
        for layout_name, fields in self.layouts():
            codes = {f.code for f in fields}
            for f in fields:
                for cond in (f.required_when, f.positive_when):
                    if cond is not None and cond.field not in codes:
                        raise ValueError(
                            f"{self.code}/{layout_name}/{f.code}: unknown {cond.field}"
                        )
                for ref in (f.not_before, f.id_type_field):
                    if ref is not None and ref not in codes:
                        raise ValueError(f"{self.code}/{layout_name}/{f.code}: unknown {ref}")
            for ref in self.visibility.model_dump(
                include={
                    "start",
                    "end",
                    "removed",
                    "status",
                    "categories",
                    "fine",
                    "authority",
                    "person_category",
                    "severity",
                    "sector",
                }
            ).values():
                if layout_name == "current" and ref is not None and ref not in codes:
                    raise ValueError(f"{self.code}: visibility names unknown field {ref}")
            if layout_name == "current" and self.authority_field not in (None, *codes):
                raise ValueError(f"{self.code}: authority_field {self.authority_field} not a field")
            for key in self.dedupe_key:
                if key != "@subject" and key not in codes:
                    raise ValueError(f"{self.code}/{layout_name}: dedupe key {key} not a field")
        return self

    def layouts(self) -> list[tuple[str, list[FieldSpec]]]:
        """Every layout as (name, fields); the current one first."""
        return [("current", self.fields), *((lay.name, lay.fields) for lay in self.legacy_layouts)]

    def field(self, code: str) -> FieldSpec:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)


def check_resources(specs: Iterable[DatasetSpec]) -> list[str]:
    """Problems across the catalog's resources: duplicate 信息资源代码, unknown 关联资源代码.

    Each problem names the dataset, the field and the value; an empty list means none.
    """
    owners: dict[str, str] = {}
    problems: list[str] = []
    listed = [s for s in specs if s.resource is not None]
    for spec in listed:
        assert spec.resource is not None
        other = owners.setdefault(spec.resource.code, spec.code)
        if other != spec.code:
            problems.append(
                f"{spec.code}: resource.code {spec.resource.code} is already {other}'s "
                f"(信息资源代码重复)"
            )
    for spec in listed:
        assert spec.resource is not None
        for ref in spec.resource.related:
            if ref not in owners:
                problems.append(
                    f"{spec.code}: resource.related {ref} is not a resource of the catalog "
                    "(关联资源代码不存在)"
                )
            elif owners[ref] == spec.code:
                problems.append(f"{spec.code}: resource.related {ref} is the resource itself")
    return problems
