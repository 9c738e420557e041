"""Name parts of synthetic people and market entities.

Everything here is invented from common parts: no real person or company is named on purpose.
"""

from __future__ import annotations

import random

from gongxin.demo.regions import Region

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红海波鹏飞宇浩然晨阳欣怡子涵"
    "思远嘉文博俊峰颖慧琳雪梅婷凯旭东亮成林斌辉宁浩淑珍德福永庆春燕丹佳琪梓萱雨轩子豪一鸣晓"
)
# 字号 (trade-name) characters: the auspicious vocabulary Chinese firms actually draw on.
TRADE = (
    "华瑞鑫恒泰盛达宏远创新博安康德信诚益嘉和丰源祥润优智联凯中天金汇佳荣明志昌通海辉腾峰越"
    "卓睿晨阳光云星宇航城邦锦盈隆兴旺富贵福顺禾启泽铭诺晟昊禧悦朗翔宸煜弘毅"
)

# (industry word in the name, business scope)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("科技", "技术开发、技术咨询、技术转让、技术服务；软件开发；计算机系统服务；销售电子产品。"),
    ("信息技术", "信息技术咨询服务；数据处理和存储支持服务；软件开发；网络技术服务。"),
    ("商贸", "销售日用品、五金交电、服装鞋帽、针纺织品、文具用品、工艺美术品；货物进出口。"),
    ("餐饮管理", "餐饮服务；餐饮管理；食品经营（销售预包装食品）。"),
    ("食品", "食品经营；食品互联网销售；销售食用农产品。"),
    ("建筑工程", "施工总承包；专业承包；劳务分包；销售建筑材料。"),
    ("装饰工程", "住宅室内装饰装修；建筑装饰材料销售；工程管理服务。"),
    ("物流", "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理。"),
    ("文化传媒", "组织文化艺术交流活动；广告设计、代理；广告发布；会议及展览服务。"),
    ("医药", "药品零售；医疗器械经营；保健食品销售。"),
    ("投资管理", "投资管理；资产管理；投资咨询；企业管理咨询。"),
    ("房地产开发", "房地产开发经营；物业管理；房地产经纪。"),
    ("物业管理", "物业管理；停车场服务；家政服务；城市绿化管理。"),
    ("教育咨询", "教育咨询服务（不含涉许可审批的教育培训活动）；组织文化艺术交流活动。"),
    ("环保科技", "环境保护监测；污水处理及其再生利用；固体废物治理；技术服务。"),
    ("机械设备", "机械设备销售；机械设备租赁；通用设备修理；五金产品批发。"),
    ("汽车服务", "机动车修理和维护；汽车零配件零售；洗车服务。"),
    ("人力资源", "人力资源服务；劳务派遣服务；职业中介活动。"),
    ("生物科技", "生物技术推广服务；医学研究和试验发展；第一类医疗器械销售。"),
    ("新能源科技", "太阳能发电技术服务；储能技术服务；新能源汽车充电设施运营。"),
    ("服装", "服装制造；服装服饰零售；针纺织品销售。"),
    ("印刷", "包装装潢印刷品印刷；其他印刷品印刷。"),
    ("电子", "电子元器件制造；电子产品销售；集成电路设计。"),
    ("农业发展", "蔬菜种植；谷物种植；农产品的生产、销售、加工、运输、贮藏。"),
)

# (shop kind of a 个体工商户, business scope)
SHOPS: tuple[tuple[str, str], ...] = (
    ("小吃店", "餐饮服务（小餐饮）；销售预包装食品。"),
    ("面馆", "餐饮服务（小餐饮）。"),
    ("早餐店", "餐饮服务（小餐饮）；销售散装食品。"),
    ("便利店", "销售预包装食品、日用品、烟草制品零售。"),
    ("烟酒店", "烟草制品零售；销售预包装食品（含酒类）。"),
    ("水果店", "销售新鲜水果、食用农产品。"),
    ("五金店", "销售五金交电、建筑材料、日用杂品。"),
    ("理发店", "理发服务；美容服务。"),
    ("服装店", "零售服装、鞋帽、针纺织品。"),
    ("汽车修理部", "机动车维修（小型车辆维修）。"),
    ("家电维修部", "日用电器修理；家用电器零售。"),
    ("洗衣店", "洗染服务。"),
    ("日用百货店", "销售日用百货、文具用品、化妆品。"),
)

COOP_PRODUCTS = ("蔬菜种植", "果品", "生猪养殖", "农机服务", "粮食种植", "食用菌", "花卉苗木")
INSTITUTIONS = (
    "疾病预防控制中心", "图书馆", "文化馆", "社区卫生服务中心", "职业技能鉴定指导中心",
    "园林绿化服务中心", "体育运动学校", "第一幼儿园", "第二医院", "档案馆",
)  # fmt: skip
ASSOCIATIONS = (
    "餐饮行业协会", "个体劳动者协会", "科技企业家协会", "物业管理行业协会", "建筑业协会",
    "诚信企业促进会", "电子商务协会", "食品安全促进会",
)  # fmt: skip
NONPROFITS = ("职业技能培训学校", "养老服务中心", "社会工作服务中心", "青少年活动中心")

COMPANY_TYPES = (
    "有限责任公司(自然人投资或控股)",
    "有限责任公司(自然人投资或控股)",
    "有限责任公司(自然人独资)",
    "有限责任公司(法人独资)",
    "其他有限责任公司",
)
SHARE_COMPANY_TYPE = "股份有限公司(非上市、自然人投资或控股)"
FOREIGN_TYPES = ("有限责任公司(外国法人独资)", "有限责任公司(台港澳法人独资)")


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN)
    return surname + given


def trade_name(rng: random.Random) -> str:
    return "".join(rng.sample(TRADE, 2))


def company_name(rng: random.Random, region: Region, industry: str, suffix: str) -> str:
    """北京瑞恒科技有限公司, or the other common form 瑞恒(北京)科技有限公司."""
    trade = trade_name(rng)
    place = region.city.removesuffix("市")
    if rng.random() < 0.25:
        return f"{trade}({place}){industry}{suffix}"
    return f"{place}{trade}{industry}{suffix}"


def shop_name(rng: random.Random, region: Region, shop: str) -> str:
    """个体工商户: 北京市朝阳区鑫源小吃店, or 朝阳区张记面馆."""
    if rng.random() < 0.4:
        return f"{region.district}{rng.choice(SURNAMES)}记{shop}"
    return f"{region.prefix}{trade_name(rng)}{shop}"


def coop_name(rng: random.Random, region: Region) -> str:
    return f"{region.prefix}{trade_name(rng)}{rng.choice(COOP_PRODUCTS)}专业合作社"


def institution_name(rng: random.Random, region: Region) -> str:
    return f"{region.prefix}{rng.choice(INSTITUTIONS)}"


def association_name(rng: random.Random, region: Region) -> tuple[str, str]:
    """(name, organisation category code 1 or 2) of a 社会团体 or 民办非企业单位."""
    if rng.random() < 0.6:
        return f"{region.prefix}{rng.choice(ASSOCIATIONS)}", "1"
    return f"{region.prefix}{trade_name(rng)}{rng.choice(NONPROFITS)}", "2"


def collective_name(rng: random.Random, region: Region) -> str:
    """A village collective (authority N): 北京市顺义区兴旺庄村股份经济合作社."""
    village = rng.choice(TRADE) + rng.choice("庄营屯店堡")
    return f"{region.prefix}{village}村股份经济合作社"


def owners_committee_name(rng: random.Random, region: Region) -> str:
    """A body registered under authority Y (其他)."""
    return f"{region.prefix}{trade_name(rng)}家园小区业主委员会"


def capital(rng: random.Random, *, foreign: bool = False, small: bool = False) -> str:
    """Registered capital as registration data writes it: 2,000(万元人民币), 100(万美元)."""
    if foreign:
        return f"{rng.choice((50, 100, 200, 500, 1000)):,}(万美元)"
    if small:
        return f"{rng.choice((1, 2, 3, 5, 10))}(万元人民币)"
    amount = rng.choice((3, 10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 2000, 5000, 10000))
    if rng.random() < 0.08:  # some registers keep four decimals: 34.6000(万元人民币)
        return f"{rng.randint(10, 9999) / 10:.4f}(万元人民币)"
    return f"{amount:,}(万元人民币)"
