"""The data dictionary of a dataset spec, in Chinese, as plain rows.

One row per field of a layout: what a clerk must enter, in which format, whether it is required
(always, never, or under a condition on another field) and whether the public sees it masked.
The template's "填写说明" sheet, the CLI and the portal all render these rows; nothing here prints.
"""

from __future__ import annotations

from gongxin.catalog.model import Condition, DatasetSpec, FieldSpec, FieldType, MaskRule
from gongxin.errors import NotFound

COLUMNS: tuple[str, ...] = (
    "序号",
    "中文名称",
    "字段代码",
    "英文名",
    "类型",
    "必填",
    "取值/格式",
    "脱敏",
    "说明",
)

CURRENT = "current"

TYPE_NAMES: dict[FieldType, str] = {
    "text": "字符",
    "uscc": "统一社会信用代码",
    "reg_no": "工商注册号",
    "org_code": "组织机构代码",
    "resident_id": "公民身份号码",
    "subject_code": "主体代码",
    "id_number": "证件号码",
    "date": "日期",
    "decimal": "数值",
    "integer": "整数",
    "enum": "枚举",
    "capital": "注册资本",
}

MASK_NAMES: dict[MaskRule, str] = {
    "id_number": "是（证件号码部分隐去）",
    "person_name": "是（姓名部分隐去）",
    "hidden": "是（不公开；仅存密钥散列，用于匹配）",
}

_CODE_FORMATS: dict[FieldType, str] = {
    "uscc": "18位，含校验位（GB 32100）",
    "reg_no": "15位，含校验位",
    "org_code": "9位，含校验位（GB 11714），可带连字符",
    "resident_id": "18位公民身份号码，含校验位（GB 11643）",
    "subject_code": "18位统一社会信用代码，或15位工商注册号",
    "capital": "金额加单位，如 2,000(万元人民币)、168(万美元)",
    "integer": "整数",
}

DATE_FORMAT = "YYYY/MM/DD"
LONG_TERM = "2099/12/31"


class UnknownLayout(NotFound):
    code = "unknown_layout"

    def __init__(self, dataset: str, layout: str, known: list[str]) -> None:
        super().__init__(
            f"数据集 {dataset} 没有格式 {layout}；可用的格式：{'、'.join(known)}",
            f"dataset {dataset!r} has no layout {layout!r}; known layouts: {', '.join(known)}",
            dataset=dataset,
            layout=layout,
            known=known,
        )


def layout_fields(spec: DatasetSpec, layout: str = CURRENT) -> list[FieldSpec]:
    """The fields of one layout of a spec (``current`` or a legacy layout's name)."""
    layouts = dict(spec.layouts())
    if layout not in layouts:
        raise UnknownLayout(spec.code, layout, list(layouts))
    return layouts[layout]


def layout_title(spec: DatasetSpec, layout: str = CURRENT) -> str:
    """A layout's Chinese title: 现行格式, or the legacy layout's own title."""
    for legacy in spec.legacy_layouts:
        if legacy.name == layout:
            return legacy.title
    return f"现行格式（{spec.version} 版）"


def type_name(field: FieldSpec) -> str:
    """The field's type in Chinese; a multi-valued enum is a 集合 (set)."""
    if field.type == "enum" and field.multiple:
        return "多选枚举（集合）"
    return TYPE_NAMES[field.type]


def describe_condition(cond: Condition, fields: list[FieldSpec]) -> str:
    """A condition in words, naming the other field by its Chinese name."""
    names = {f.code: f.name for f in fields}
    other = f"“{names.get(cond.field, cond.field)}”"
    if cond.in_ is not None:
        return f"{other}为{'或'.join(cond.in_)}"
    if cond.contains is not None:
        return f"{other}含“{cond.contains}”"
    return f"{other}已填写" if cond.present else f"{other}未填写"


def requirement(field: FieldSpec, fields: list[FieldSpec]) -> str:
    """是, 否, or 条件：… when the field is required only under a condition."""
    if field.required:
        return "是"
    if field.required_when is not None:
        return f"条件：{describe_condition(field.required_when, fields)}时必填"
    return "否"


def value_format(field: FieldSpec, fields: list[FieldSpec]) -> str:
    """The accepted values or format of a field, with its unit and length limits."""
    names = {f.code: f.name for f in fields}
    parts: list[str] = []
    if field.type == "enum":
        parts.append(f"可选值：{'、'.join(field.values or [])}")
        if field.multiple:
            parts.append("可填多个，用分号“；”分隔")
        if field.other_prefix:
            parts.append(f"其他值以“{field.other_prefix}”开头并注明，如“{field.other_prefix}-…”")
        if field.value_aliases:
            codes = "、".join(f"{k}={v}" for k, v in field.value_aliases.items())
            parts.append(f"也接受代码：{codes}")
    elif field.type == "date":
        parts.append(f"日期，格式 {DATE_FORMAT}")
        if field.not_after_today:
            parts.append("不得晚于提交日")
        if field.not_before:
            parts.append(f"不得早于“{names.get(field.not_before, field.not_before)}”")
        if field.long_term_sentinel:
            parts.append(f"{LONG_TERM} 表示长期")
    elif field.type == "decimal":
        parts.append(f"数值，最多{field.scale}位小数" if field.scale is not None else "数值")
    elif field.type == "id_number" and field.id_type_field:
        kind = names.get(field.id_type_field, field.id_type_field)
        parts.append(f"按“{kind}”校验，身份证为18位公民身份号码")
    elif field.type in _CODE_FORMATS:
        parts.append(_CODE_FORMATS[field.type])
    if field.unit:
        parts.append(f"单位：{field.unit}")
    if field.positive_when is not None:
        parts.append(f"{describe_condition(field.positive_when, fields)}时须大于0")
    if field.min_length is not None and field.max_length is not None:
        parts.append(f"{field.min_length}至{field.max_length}个字符")
    elif field.max_length is not None:
        parts.append(f"最长{field.max_length}个字符")
    elif field.min_length is not None:
        parts.append(f"至少{field.min_length}个字符")
    return "；".join(parts)


def mask_name(field: FieldSpec) -> str:
    return MASK_NAMES[field.mask] if field.mask else "否"


def field_row(index: int, field: FieldSpec, fields: list[FieldSpec]) -> dict[str, str]:
    """One dictionary row, keyed by the column names in :data:`COLUMNS`."""
    return {
        "序号": str(index),
        "中文名称": field.name,
        "字段代码": field.code,
        "英文名": field.name_en,
        "类型": type_name(field),
        "必填": requirement(field, fields),
        "取值/格式": value_format(field, fields),
        "脱敏": mask_name(field),
        "说明": field.note,
    }


def dictionary_rows(spec: DatasetSpec, layout: str = CURRENT) -> list[dict[str, str]]:
    """The data dictionary of one layout: a row per field, in the layout's column order."""
    fields = layout_fields(spec, layout)
    return [field_row(i, f, fields) for i, f in enumerate(fields, start=1)]


def _key_names(spec: DatasetSpec, fields: list[FieldSpec]) -> str:
    names = {f.code: f.name for f in fields}
    return " + ".join("主体代码" if k == "@subject" else names.get(k, k) for k in spec.dedupe_key)


def layout_summary(spec: DatasetSpec) -> list[dict[str, str]]:
    """One row per layout: its name, title, field counts and the dedupe key in words."""
    rows = []
    for name, fields in spec.layouts():
        rows.append(
            {
                "格式": name,
                "名称": layout_title(spec, name),
                "字段数": str(len(fields)),
                "必填字段数": str(sum(f.required for f in fields)),
                "条件必填字段数": str(sum(f.required_when is not None for f in fields)),
                "去重键": _key_names(spec, fields),
            }
        )
    return rows


def dataset_summary(spec: DatasetSpec) -> list[tuple[str, str]]:
    """The dataset's catalog metadata as (label, value) pairs, in Chinese."""
    return [
        ("数据集代码", spec.code),
        ("名称", f"{spec.name}（{spec.name_en}）"),
        ("版本", spec.version),
        ("生效日期", spec.effective_from.isoformat()),
        ("目录分类", spec.category),
        ("信息类别", spec.info_class),
        ("主体角色", "登记主体" if spec.subject_role == "registration" else "行政相对人"),
        ("名单", "是" if spec.list_type else "否"),
        ("公开范围", spec.publicity_scope),
        ("共享类型", spec.share_type),
        ("开放", "是" if spec.open else "否"),
        ("更新周期", spec.update_cycle),
        ("法律依据", spec.legal_basis),
        ("去重键", _key_names(spec, spec.fields)),
        ("说明", spec.description),
        *resource_summary(spec),
    ]


def resource_summary(spec: DatasetSpec) -> list[tuple[str, str]]:
    """The 政务信息资源目录 metadata of the spec's ``resource`` block as (label, value) pairs."""
    r = spec.resource
    if r is None:
        return [("信息资源代码", "（未编目）")]
    c = r.classification
    return [
        ("信息资源分类", f"{c.code} {c.path}"),
        ("信息资源代码", r.code),
        ("信息资源提供方", r.provider.name),
        ("信息资源提供方代码", r.provider.code or ""),
        ("信息资源格式", r.format),
        ("共享条件", r.share_conditions),
        ("共享方式", "、".join(r.share_methods)),
        ("共享依据", r.share_basis or ""),
        ("开放条件", r.open_conditions or ""),
        ("发布日期", r.published.isoformat()),
        ("关联资源代码", "、".join(r.related)),
        ("涉密属性", r.secrecy),
    ]
