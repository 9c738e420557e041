"""Synthetic company names shaped like a real register's, for the linkage benchmark.

A real name is a place (province, city, sometimes a district), a trade name of two to four
characters drawn from a wide vocabulary, one or two industry words and a legal form. The
parts below are common words written for this benchmark (no real name is copied), drawn with
Zipf-like weights so that a few are frequent and most are rare, as in a register. The mix of
legal forms follows the real 1993 and 2002 registrations (有限公司 56 %, 公司 23 %, 厂 7 %,
行 5 % …). ``near_share`` measures what makes linkage hard — the share of names that have
another name one typo away — so the synthetic register can be compared with the real one at
the same size (``bench/linkage.py --realism``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import accumulate


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PROVINCES = _words(
    "北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 西藏 宁夏 新疆"
)
CITIES = _words(
    "石家庄 唐山 秦皇岛 邯郸 保定 张家口 承德 沧州 廊坊 衡水 太原 大同 阳泉 长治 晋城 朔州 "
    "晋中 运城 忻州 临汾 呼和浩特 包头 赤峰 通辽 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 "
    "阜新 辽阳 铁岭 朝阳 长春 吉林 四平 通化 白山 延吉 哈尔滨 齐齐哈尔 鸡西 鹤岗 大庆 佳木斯 "
    "牡丹江 黑河 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 杭州 "
    "宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 "
    "安庆 黄山 滁州 阜阳 宿州 六安 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 南昌 景德镇 "
    "萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶 济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 "
    "泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 "
    "许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 "
    "荆州 黄冈 咸宁 随州 长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 "
    "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 "
    "中山 潮州 揭阳 云浮 南宁 柳州 桂林 梧州 北海 钦州 贵港 玉林 海口 三亚 成都 自贡 攀枝花 "
    "泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 宜宾 达州 贵阳 遵义 安顺 昆明 曲靖 玉溪 大理 "
    "拉萨 西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 兰州 天水 酒泉 西宁 银川 乌鲁木齐"
)
DISTRICTS = _words(
    "东城 西城 朝阳 海淀 丰台 通州 顺义 昌平 大兴 怀柔 平谷 密云 延庆 房山 门头沟 浦东 黄浦 "
    "徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 金山 松江 青浦 奉贤 崇明 和平 河东 河西 "
    "南开 河北 红桥 滨海 东丽 西青 津南 北辰 武清 宝坻 渝中 江北 沙坪坝 九龙坡 南岸 高新 "
    "经济开发 新城 开发 城关 城东 城西 城南 城北 天河 越秀 荔湾 白云 番禺 花都 福田 罗湖 "
    "南山 宝安 龙岗 鼓楼 台江 仓山 思明 湖里 集美 江干 拱墅 余杭 萧山 鄞州 江东 锦江 青羊 "
    "金牛 武侯 成华 雁塔 碑林 莲湖 新华 桥西 桥东 长安 裕华 铁西 皇姑 沈河 大东 中山 西岗 "
    "沙河口 甘井子 南岗 道里 道外 香坊"
)
# 字号 characters: auspicious, descriptive and place-like characters of trade names.
TRADE = (
    "华中国金信通达恒宏鑫源泰盛兴昌隆顺丰瑞祥利福康安宁和平新东方天宇海大正德永长万佳美嘉诚"
    "明光辉荣富联合众益民建开发展科创博智远航星辰云龙凤鹏腾飞翔锦绣银宝玉晶珠鼎鸿运亿千百"
    "汇聚港湾江河湖山川林森田园春夏秋冬阳晨晖朗雅清润泽雨露霖霞彩虹蓝绿青红紫白黑黄橙"
    "乐欣悦喜庆祥瑞吉祥如意顺达通畅畅捷迅速奥特斯普蒙尔克赛思维凯迪莱宾杰伦艾迈威尔森"
    "东南西北上下左右前后内外高低古今文武忠孝仁义礼智信廉勤俭朴实真善优良精细品质亚欧美非"
    "惠泉溪潭峰岭崇岳峻嵘坤乾艮巽坎离震兑鲁豫晋冀秦楚湘鄂赣皖闽粤桂琼滇黔蜀渝陇宁青藏疆"
    "松柏竹梅兰菊荷莲桃李杏梨枫桐桂杨柳樱茂盈丰硕豪迈雄伟壮阔卓越超群精英杰俊彦贤哲圣皓"
    "昊旭晟昱曦昕晓景晴煜炜烨焕灿烁铭锐钧铎钰镇键锋钢铁铜锡铝锌航舟帆舰轩辕驰骋骏骐骥"
    "振奋扬帆启程创业立达致远恒久永续旺发财贵誉声名望仕途承继传统现代未来世纪时代环球寰宇"
)
# 行业 words, from the broad GB/T 4754 sections down to the trades a register is full of.
INDUSTRIES = _words(
    "科技 实业 贸易 商贸 工贸 经贸 投资 置业 房地产开发 建筑工程 建设 装饰工程 装饰 物资 "
    "机电设备 电子 电器 电气 电缆 电力 能源 新能源 石油 化工 化学 塑料 橡胶 五金 机械 "
    "机械设备 汽车 汽车销售 汽车修理 运输 物流 货运 航运 船务 仓储 食品 副食品 饮料 酒业 "
    "茶业 粮油 农业 农副产品 畜牧 水产 养殖 种植 园林 绿化 花卉 木业 家具 纺织 服装 服饰 "
    "时装 制衣 针织 丝绸 皮革 鞋业 印刷 包装 纸业 文化 文化传播 传媒 广告 出版 影视 旅游 "
    "旅行社 酒店 宾馆 餐饮 饮食 医药 药业 医疗器械 生物 保健品 化妆品 日用品 百货 超市 商场 "
    "商城 大厦 市场 信息技术 软件 网络 计算机 通信 通讯设备 仪器仪表 光电 光学 精密 模具 "
    "铸造 钢铁 钢材 金属 有色金属 矿业 煤炭 建材 水泥 陶瓷 玻璃 涂料 环保 水务 节能 咨询 "
    "管理咨询 企业管理 人力资源 劳务 家政 物业管理 保安服务 清洁服务 教育 培训 体育 工艺品 "
    "礼品 玩具 文具 办公用品 钟表 眼镜 珠宝 金银饰品 乐器 音响 照明 灯饰 电脑 数码 摄影 彩印 "
    "复印 美容美发 洗涤 修理 维修 安装 制冷设备 空调 锅炉 泵业 阀门 轴承 标准件 紧固件 弹簧 "
    "焊接 工具 劳保用品 消防器材 安全设备 气体 燃料 燃气 液化气 加油站 发展 开发 技术开发 "
    "技术服务 工程技术"
)
LEGAL_FORMS = (
    ("有限公司", 56), ("公司", 23), ("厂", 7), ("行", 5), ("经营部", 2), ("股份有限公司", 2),
    ("有限责任公司", 2), ("商店", 1), ("服务部", 1), ("合作社", 1), ("中心", 0.5), ("门市部", 0.5),
)  # fmt: skip
SHORT_FORMS = {"行", "商店", "服务部", "经营部", "门市部"}  # a single industry word before these


def _zipf(items: Sequence[str], s: float = 0.8) -> Callable[[random.Random], str]:
    weights = list(accumulate(1 / (rank + 1) ** s for rank in range(len(items))))

    def draw(rng: random.Random) -> str:
        return rng.choices(items, cum_weights=weights)[0]

    return draw


_trade_char = _zipf(list(dict.fromkeys(TRADE)), 0.6)
_industry = _zipf(INDUSTRIES, 0.9)
_city = _zipf(CITIES, 0.7)
_district = _zipf(DISTRICTS, 0.7)
_province = _zipf(PROVINCES, 0.5)
_forms = [f for f, _ in LEGAL_FORMS]
_form_weights = list(accumulate(w for _, w in LEGAL_FORMS))


def _place(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return _province(rng) + rng.choice(("", "", "省" if rng.random() < 0.3 else ""))
    if roll < 0.7:
        return _city(rng) + ("市" if rng.random() < 0.3 else "")
    if roll < 0.9:
        district = _district(rng) + ("区" if rng.random() < 0.4 else "")
        return _city(rng) + district if rng.random() < 0.5 else _province(rng) + district
    return ""


def company_name(rng: random.Random) -> str:
    """One synthetic name: 上海青浦恒昌塑料五金厂, 温州瑞丰达电器有限公司, 鑫源贸易行 …"""
    size = rng.choices((2, 3, 4), weights=(62, 30, 8))[0]
    trade = "".join(_trade_char(rng) for _ in range(size))
    form = rng.choices(_forms, cum_weights=_form_weights)[0]
    industry = _industry(rng)
    if form not in SHORT_FORMS and rng.random() < 0.2:
        industry += _industry(rng)
    return f"{_place(rng)}{trade}{industry}{form}"


def register(
    n: int, seed: int, norm: Callable[[str], str], taken: set[str] | None = None
) -> list[str]:
    """``n`` names distinct in their normalised form ``norm``, none of whose forms is in
    ``taken``."""
    rng = random.Random(f"{seed}:names")
    seen = set(taken or ())
    out: list[str] = []
    while len(out) < n:
        name = company_name(rng)
        key = norm(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def near_share(names: Sequence[str], keys: Callable[[str], list[str]]) -> float:
    """The share of names with another name sharing a blocking key (one typo away)."""
    owners: dict[str, set[int]] = defaultdict(set)
    for i, name in enumerate(names):
        for key in keys(name):
            owners[key].add(i)
    near: set[int] = set()
    for found in owners.values():
        if len(found) > 1:
            near |= found
    return len(near) / len(names) if names else 0.0
