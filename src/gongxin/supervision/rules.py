"""Warning rules as data: the packaged ``warning_rules.yaml`` or a deployment's own file.

Each rule names its kind (one of the checks ``kinds.py`` implements as SQL), its parameters,
legal hook, severity and an explanation template. A file with an unknown key, an unknown kind,
a parameter the kind does not take or a dataset the catalog does not know is refused at load,
naming the file, the key and the rule.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gongxin.catalog.registry import Catalog
from gongxin.errors import GongxinError


class InvalidRules(GongxinError):
    status = 500
    code = "invalid_warning_rules"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListedRepParams(_Params):
    datasets: list[str] = Field(min_length=1)


class AddressClusterParams(_Params):
    min_subjects: int = Field(ge=2)
    statuses: list[str] = Field(min_length=1)


class FrequentChangesParams(_Params):
    items: list[str] = Field(min_length=1)
    min_changes: int = Field(ge=2)
    window_days: int = Field(ge=1, le=3660)


class PenaltyAfterRegistrationParams(_Params):
    days: int = Field(ge=1, le=3660)
    datasets: list[str] = Field(min_length=1)


class AbnormalWhileLicensedParams(_Params):
    lists: list[str] = Field(min_length=1)
    licences: list[str] = Field(min_length=1)


class PenaltyRateAnomalyParams(_Params):
    """Penalty rate of an industry × region cell against the same industry elsewhere."""

    datasets: list[str] = Field(min_length=1)
    window_days: int = Field(ge=1, le=3660)
    industry_digits: int = Field(ge=1, le=5)  # GB/T 4754 code prefix: 1 门类 … 5 小类
    region_digits: int = Field(ge=2, le=6)  # GB/T 2260 code prefix: 2 省 … 6 县
    statuses: list[str] = Field(min_length=1)
    min_subjects: int = Field(ge=2)  # subjects in the cell
    min_penalised: int = Field(ge=1)  # penalised subjects in the cell
    min_peers: int = Field(ge=1)  # subjects of the same industry elsewhere
    min_ratio: float = Field(gt=1)  # cell rate ≥ min_ratio × peers' rate
    min_z: float = Field(gt=0)  # binomial z-score of the cell's count at the peers' rate


PARAMS: dict[str, type[_Params]] = {
    "listed_rep_elsewhere": ListedRepParams,
    "address_cluster": AddressClusterParams,
    "frequent_changes": FrequentChangesParams,
    "penalty_after_registration": PenaltyAfterRegistrationParams,
    "abnormal_while_licensed": AbnormalWhileLicensedParams,
    "penalty_rate_anomaly": PenaltyRateAnomalyParams,
}
Kind = Literal[
    "listed_rep_elsewhere",
    "address_cluster",
    "frequent_changes",
    "penalty_after_registration",
    "abnormal_while_licensed",
    "penalty_rate_anomaly",
]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")
    title: str
    legal_hook: str
    severity: Literal["高", "中", "低"]
    kind: Kind
    params: dict[str, object]
    explain: str

    def typed_params(self) -> _Params:
        return PARAMS[self.kind].model_validate(self.params)


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    rules: list[Rule] = Field(min_length=1)


def _refuse(name: str, key: str, rule: str, why: str) -> InvalidRules:
    return InvalidRules(
        f"预警规则文件 {name} 中规则 {rule} 的 {key} 不合规：{why}",
        f"warning rules {name}: rule {rule}: {key}: {why}",
        file=name,
        key=key,
        rule=rule,
    )


def load_rules(catalog: Catalog, path: Path | None = None) -> RuleFile:
    """The rules in ``path``, or the packaged ones, checked against the catalog."""
    if path is None:
        text = (resources.files("gongxin.supervision") / "warning_rules.yaml").read_text("utf-8")
        name = "warning_rules.yaml"
    else:
        text, name = path.read_text("utf-8"), str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _refuse(name, "(YAML)", "?", f"invalid YAML: {exc}") from None
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"]]
        rule_id = "?"
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(data, dict):
            rules = data.get("rules") or []
            index = int(loc[1])
            if index < len(rules) and isinstance(rules[index], dict):
                rule_id = str(rules[index].get("id", index))
            loc = loc[2:]
        raise _refuse(name, ".".join(loc) or "(file)", rule_id, error["msg"]) from None
    known = {spec.code for spec in catalog}
    seen: set[str] = set()
    for rule in parsed.rules:
        if rule.id in seen:
            raise _refuse(name, "id", rule.id, "duplicate rule id")
        seen.add(rule.id)
        try:
            params = rule.typed_params()
        except ValidationError as exc:
            error = exc.errors()[0]
            key = "params." + ".".join(str(p) for p in error["loc"])
            raise _refuse(name, key, rule.id, error["msg"]) from None
        for key, value in params.model_dump().items():
            if key in ("datasets", "lists", "licences"):
                unknown = [d for d in value if d not in known]
                if unknown:
                    raise _refuse(name, f"params.{key}", rule.id, f"unknown dataset {unknown[0]}")
    return parsed
