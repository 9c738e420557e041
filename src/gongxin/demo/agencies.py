"""The government bodies of the demo city: the platform's departments and the authorities that
decide what records say (district bureaus, courts, tax offices).

Codes are derived from the names (see :func:`gongxin.demo.codes.agency_uscc`), so they are the
same in every demo whatever the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from gongxin.demo.codes import agency_uscc
from gongxin.demo.regions import HOME_CODE, Region


@dataclass(frozen=True, slots=True)
class Agency:
    name: str  # full name as it appears in records, e.g. 北京市朝阳区市场监督管理局
    code: str  # 统一社会信用代码
    abbr: str  # document-number prefix, e.g. 京朝市监


def _agency(name: str, region_code: str, abbr: str, authority: str = "1", cat: str = "1") -> Agency:
    return Agency(name, agency_uscc(name, region_code, authority, cat), abbr)


SAMR = _agency("北京市市场监督管理局", HOME_CODE, "京市监")
TAX = _agency("国家税务总局北京市税务局", HOME_CODE, "京税")
TAX_INSPECTION = _agency("国家税务总局北京市税务局第一稽查局", HOME_CODE, "京税稽一")
COURT = _agency("北京市第三中级人民法院", HOME_CODE, "京03")
HRSS = _agency("北京市人力资源和社会保障局", HOME_CODE, "京人社")
ENVIRONMENT = _agency("北京市生态环境局", HOME_CODE, "京环")
FINANCE = _agency("北京市财政局", HOME_CODE, "京财采")
CUSTOMS = _agency("北京海关", HOME_CODE, "京关")
HEALTH = _agency("北京市卫生健康委员会", HOME_CODE, "京卫")
GOV_SERVICE = _agency("北京市政务服务管理局", HOME_CODE, "京政服")
# The credit centre is a 事业单位: its code starts with 12.
CREDIT_CENTRE = _agency("北京市公共信用信息服务中心", HOME_CODE, "京信", "1", "2")


@dataclass(frozen=True, slots=True)
class Department:
    """A department of the platform: its name there, its kind and the body it stands for."""

    name: str
    kind: str  # provider | user | centre
    agency: Agency


DEPARTMENTS: tuple[Department, ...] = (
    Department("市市场监督管理局", "provider", SAMR),
    Department("市税务局", "provider", TAX),
    Department("市中级人民法院", "provider", COURT),
    Department("市人力资源和社会保障局", "provider", HRSS),
    Department("市生态环境局", "provider", ENVIRONMENT),
    Department("市财政局", "user", FINANCE),
    Department("市政务服务管理局", "user", GOV_SERVICE),
    Department("市信用中心", "centre", CREDIT_CENTRE),
)
BY_NAME = {d.name: d for d in DEPARTMENTS}


@cache
def samr(region: Region) -> Agency:
    """The market regulation bureau of a home district; the city bureau for other places."""
    if not region.is_home:
        return SAMR
    return _agency(f"北京市{region.district}市场监督管理局", region.code, f"{region.abbr}市监")


@cache
def environment(region: Region) -> Agency:
    if not region.is_home:
        return ENVIRONMENT
    return _agency(f"北京市{region.district}生态环境局", region.code, f"{region.abbr}环")


@cache
def tax(region: Region) -> Agency:
    if not region.is_home:
        return TAX
    return _agency(f"国家税务总局北京市{region.district}税务局", region.code, f"{region.abbr}税")


@cache
def court(region: Region) -> Agency:
    """A district court; its case numbers read （2024）京0105执123号."""
    if not region.is_home:
        return COURT
    code = f"京01{region.code[4:6]}"
    return _agency(f"北京市{region.district}人民法院", region.code, code)


@cache
def service_centre(region: Region) -> Agency:
    """The government service bureau that receives commitments in licensing."""
    if not region.is_home:
        return GOV_SERVICE
    name = f"北京市{region.district}政务服务管理局"
    return _agency(name, region.code, f"{region.abbr}政服")
