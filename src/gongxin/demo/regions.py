"""Real administrative divisions (GB/T 2260 codes) and synthetic addresses in them.

The demo platform serves one city (北京市); most synthetic subjects are registered in its
districts, the rest in a few dozen real prefectures elsewhere. Codes are the county-level
GB/T 2260 codes of the districts named.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# province | city | district | GB/T 2260 code | abbreviation used in document numbers
_TABLE = """
北京市|北京市|东城区|110101|京东
北京市|北京市|西城区|110102|京西
北京市|北京市|朝阳区|110105|京朝
北京市|北京市|丰台区|110106|京丰
北京市|北京市|石景山区|110107|京石
北京市|北京市|海淀区|110108|京海
北京市|北京市|通州区|110112|京通
北京市|北京市|顺义区|110113|京顺
北京市|北京市|昌平区|110114|京昌
北京市|北京市|大兴区|110115|京兴
天津市|天津市|和平区|120101|津和
天津市|天津市|滨海新区|120116|津滨
上海市|上海市|黄浦区|310101|沪黄
上海市|上海市|浦东新区|310115|沪浦
重庆市|重庆市|渝中区|500103|渝中
河北省|石家庄市|长安区|130102|冀石
河北省|保定市|竞秀区|130602|冀保
山西省|太原市|小店区|140105|晋太
辽宁省|沈阳市|和平区|210102|辽沈
辽宁省|大连市|中山区|210202|辽大
吉林省|长春市|朝阳区|220104|吉长
黑龙江省|哈尔滨市|南岗区|230103|黑哈
江苏省|南京市|玄武区|320102|苏宁
江苏省|苏州市|姑苏区|320508|苏苏
浙江省|杭州市|西湖区|330106|浙杭
浙江省|宁波市|海曙区|330203|浙甬
安徽省|合肥市|蜀山区|340104|皖合
福建省|厦门市|思明区|350203|闽厦
江西省|南昌市|东湖区|360102|赣洪
山东省|济南市|历下区|370102|鲁济
山东省|青岛市|市南区|370202|鲁青
河南省|郑州市|金水区|410105|豫郑
湖北省|武汉市|武昌区|420106|鄂武
湖南省|长沙市|岳麓区|430104|湘长
广东省|广州市|天河区|440106|粤穗
广东省|深圳市|南山区|440305|粤深
广西壮族自治区|南宁市|青秀区|450103|桂南
海南省|海口市|龙华区|460106|琼海
四川省|成都市|武侯区|510107|川成
贵州省|贵阳市|南明区|520102|黔贵
云南省|昆明市|五华区|530102|滇昆
陕西省|西安市|雁塔区|610113|陕西
甘肃省|兰州市|城关区|620102|甘兰
"""

HOME_PROVINCE = "北京市"
HOME_CODE = "110000"
HOME_ABBR = "京"

_ROADS_HOME = (
    "建国路", "朝阳北路", "东三环中路", "中关村大街", "学院路", "丰台北路", "西直门外大街",
    "安立路", "望京街", "酒仙桥路", "金融大街", "新华大街", "顺义站前街", "回龙观西大街",
    "兴华大街", "石景山路", "广渠路", "亮马桥路", "北四环西路", "永定门外大街",
)  # fmt: skip
_ROADS = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "文化路", "学府路", "科技路",
    "创业路", "工业大道", "滨江路", "新华路", "青年路", "东风路", "黄河路", "光明路", "迎宾大道",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Region:
    province: str  # full name, e.g. 北京市, 广西壮族自治区
    city: str  # e.g. 北京市, 杭州市
    district: str  # e.g. 朝阳区
    code: str  # GB/T 2260 county-level code, e.g. 110105
    abbr: str  # document-number prefix, e.g. 京朝

    @property
    def is_home(self) -> bool:
        return self.province == HOME_PROVINCE

    @property
    def province_short(self) -> str:
        """As the registration data writes it: 北京, 广东, 广西."""
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
            if self.province.endswith(suffix):
                return self.province[: -len(suffix)]
        return self.province

    @property
    def area(self) -> str:
        """The 地区 column: the district of a municipality (朝阳), else the city (杭州)."""
        municipality = self.province == self.city
        name = self.district if municipality else self.city
        for suffix in ("新区", "区", "市"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    @property
    def prefix(self) -> str:
        """The place written before a name or an address: 北京市朝阳区, 浙江省杭州市西湖区."""
        if self.province == self.city:
            return f"{self.city}{self.district}"
        return f"{self.province}{self.city}{self.district}"


def _parse() -> tuple[Region, ...]:
    rows = []
    for line in _TABLE.strip().splitlines():
        province, city, district, code, abbr = line.split("|")
        rows.append(Region(province, city, district, code, abbr))
    return tuple(rows)


REGIONS: tuple[Region, ...] = _parse()
HOME: tuple[Region, ...] = tuple(r for r in REGIONS if r.is_home)
ELSEWHERE: tuple[Region, ...] = tuple(r for r in REGIONS if not r.is_home)


def pick_region(rng: random.Random, home_share: float = 0.85) -> Region:
    return rng.choice(HOME if rng.random() < home_share else ELSEWHERE)


def address(rng: random.Random, region: Region) -> str:
    road = rng.choice(_ROADS_HOME if region.is_home else _ROADS)
    number = rng.randint(1, 300)
    tail = rng.random()
    if tail < 0.35:
        rest = f"{rng.randint(1, 30)}号楼{rng.randint(1, 28)}{rng.randint(1, 20):02d}室"
    elif tail < 0.55:
        rest = f"院{rng.randint(1, 12)}号楼{rng.randint(1, 6)}层{rng.randint(101, 650)}"
    elif tail < 0.7:
        rest = f"{rng.choice('ABCDE')}座{rng.randint(2, 25)}层"
    else:
        rest = ""
    return f"{region.prefix}{road}{number}号{rest}"
