"""Realistic Chinese text for decision notices, from phrase banks and a seeded ``random.Random``:
the same seed gives the same text. Lengths follow real notices of this kind: an introduction of
~200–400 characters, an explanation of ~100–300, project names of 12–40."""

import random

CITIES = [
    "杭州",
    "宁波",
    "温州",
    "嘉兴",
    "湖州",
    "绍兴",
    "金华",
    "衢州",
    "舟山",
    "台州",
    "丽水",
    "义乌",
    "慈溪",
    "余姚",
    "诸暨",
    "海宁",
    "乐清",
    "瑞安",
    "桐乡",
    "平湖",
]
BRANDS = [
    "华辰",
    "中科",
    "浙大",
    "海创",
    "瑞丰",
    "万向",
    "新锐",
    "东方",
    "正泰",
    "天远",
    "恒升",
    "智芯",
    "博源",
    "鑫达",
    "睿达",
    "光启",
    "普华",
    "远景",
    "聚光",
    "之江",
    "钱塘",
    "西湖",
    "明德",
    "嘉禾",
    "青山",
    "蓝海",
    "星河",
    "云帆",
    "同创",
    "安恒",
]
FIELDS = [
    "生物医药",
    "新材料",
    "智能制造",
    "集成电路",
    "新能源",
    "海洋工程",
    "环境科学",
    "农业科学",
    "信息技术",
    "光电",
    "精密仪器",
    "先进制造",
    "人工智能",
    "食品科学",
    "化工",
    "纺织",
    "中医药",
    "网络安全",
    "储能",
    "机器人",
]
UNIVERSITIES = [
    "浙江大学",
    "浙江工业大学",
    "浙江理工大学",
    "杭州电子科技大学",
    "宁波大学",
    "温州医科大学",
    "浙江师范大学",
    "中国计量大学",
    "浙江农林大学",
    "浙江中医药大学",
    "浙江工商大学",
    "浙江海洋大学",
    "湖州师范学院",
    "绍兴文理学院",
    "台州学院",
    "嘉兴大学",
    "浙江科技大学",
    "浙江财经大学",
]
COMPANY_KINDS = [
    "科技有限公司",
    "股份有限公司",
    "生物科技有限公司",
    "新材料有限公司",
    "智能装备有限公司",
    "电子科技有限公司",
    "医药有限公司",
    "能源科技有限公司",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶"
    "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤楼应俞虞诸葛"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯晨晓辉鹏飞"
    "建国志强海波文博思远子涵一鸣嘉怡俊杰欣然立新卫东永红亚男春生秋实雪梅振华学军"
)

TECH = [
    "固态电解质",
    "高熵合金",
    "碳化硅功率器件",
    "钙钛矿光伏",
    "mRNA疫苗递送",
    "抗体偶联药物",
    "柔性显示",
    "量子点",
    "超导磁体",
    "氢燃料电池",
    "工业互联网",
    "边缘计算",
    "联邦学习",
    "数字孪生",
    "基因编辑",
    "合成生物",
    "微流控芯片",
    "激光增材制造",
    "海水淡化膜",
    "生物可降解材料",
    "毫米波雷达",
    "硅光子",
    "智能网联汽车",
    "深海探测",
    "农作物分子育种",
    "中药活性成分",
    "锂硫电池",
    "RISC-V处理器",
    "大语言模型",
    "脑机接口",
    "精准医学影像",
    "纳米催化",
    "高端轴承",
    "工业软件",
    "碳捕集与封存",
    "智慧养殖",
    "类器官",
]
OBJECTS = [
    "关键技术",
    "核心装备",
    "制备工艺",
    "检测方法",
    "控制系统",
    "材料体系",
    "集成平台",
    "共性技术",
    "工程化技术",
    "评价体系",
]
APPLICATIONS = [
    "新能源汽车",
    "智慧城市",
    "海洋牧场",
    "重大疾病诊疗",
    "先进电子封装",
    "储能电站",
    "航空发动机",
    "乡村振兴",
    "智能电网",
    "绿色化工",
    "生物制造",
    "高端医疗器械",
    "数字经济",
    "碳达峰碳中和",
    "食品安全",
    "公共卫生应急",
]
NAME_PATTERNS = [
    "{tech}{obj}研究",
    "面向{app}的{tech}{obj}研发",
    "{tech}{obj}研发及产业化",
    "{tech}在{app}中的应用示范",
    "基于{tech}的{app}{obj}攻关",
    "{app}用{tech}{obj}开发与验证",
    "高性能{tech}{obj}研究及工程化",
]

POLICY = "《关于构建科技创新容错免责机制的实施意见（试行）》"
INTRO_SENTENCES = [
    "为营造鼓励创新、宽容失败的科研环境，保护科研人员探索创新的积极性，",
    "根据{policy}有关规定，",
    "经项目承担单位申请、项目主管部门初审、第三方机构调查核实、专家组论证评审和集体审定，",
    "我厅对{count}个项目提出的容错免责申请进行了认定，",
    "现将{year}年第{batch}批{programme}项目科技创新容错免责认定结果予以公示。",
    "公示期为{start}至{end}（共{days}天，含首日），至{end}24时结束。",
    "公示期内，任何单位和个人对公示内容有异议的，可以书面形式向{office}实名提出，并提供必要的证明材料。",
    "以单位名义提出异议的，应当加盖单位公章，并注明联系人和联系方式；"
    "以个人名义提出异议的，应当签署真实姓名，并提供有效身份证明和联系方式。",
    "匿名异议、超出公示期限提出的异议以及与认定事项无关的异议，不予受理。",
    "受理部门将在收到异议后及时组织调查核实，并将处理意见书面反馈异议人；"
    "异议经核实成立的，依规更正认定结果并重新公示。",
    "对予以免责的项目，在项目验收、绩效评价和信用记录中不作负面评价，"
    "项目承担单位和项目负责人申报后续科技计划项目不受影响。",
    "对不予认定的项目，按照省级科技计划项目管理有关规定继续办理。",
    "特此公告。",
]

EXPLANATIONS = {
    "X1": "经调查核实，项目实施期间发生关键设备火灾事故，"
    "项目承担单位未按规定及时向项目主管部门报告，且在中期检查材料中隐瞒了相关情况，",
    "X2": "经调查核实，项目组未经批准擅自将主要研究内容转由其他单位实施，"
    "违反了项目合同书中的禁止性约定，",
    "X3": "经调查核实，项目组在中期检查时提交的部分测试数据与原始记录不一致，"
    "相关论文存在图片重复使用问题，已构成科研失信行为，",
    "X4": "经调查核实，项目经费使用中存在以虚假合同套取财政资金的情形，依法依规应当追究相关责任，",
    "out_of_scope": "经审查，该项目系企业自筹资金实施的技术改造项目，未获省级科技计划立项支持，"
    "不属于实施意见规定的适用范围，",
    "no_ground": "经专家组论证，项目未完成预期目标的主要原因系研发团队人员变动、研究进度严重滞后，"
    "不属于不可抗拒因素、技术路线选择失误或市场变化等适用情形，",
    "diligence_not_shown": "项目承担单位未能提供项目实施过程中的原始实验记录、"
    "阶段性技术报告和经费使用明细，无法证明项目负责人已履行勤勉尽责义务，",
    "after_acceptance": "该项目已通过验收，申请人在验收结论作出后方提出容错免责申请，"
    "不符合实施意见关于在项目验收前提出申请的规定，",
    "objection_upheld": "公示期间收到实名异议，经调查核实，"
    "异议所反映的项目关键指标未按合同约定开展验证的问题属实，原认定结论不能成立，",
}
EXPLANATION_TAILS = [
    "专家组经集体讨论，一致认为不符合容错免责条件。",
    "依据实施意见有关规定，决定不予认定。",
    "项目承担单位对调查核实情况无异议。",
    "项目后续按照省级科技计划项目管理有关规定处理。",
    "相关材料已存档备查。",
]
EXEMPTION_NOTES = [
    "项目在实施过程中，核心元器件受国际出口管制影响无法按期采购，替代方案经多轮验证仍未达到合同约定指标。",
    "项目组严格按照任务书开展研究，原始记录完整，经费使用规范，因所选技术路线在中试阶段被证明不可行而未能完成预期目标。",
    "项目实施期间，同类关键技术已由国外企业率先公开并实现量产，继续推进产业化已失去意义。",
    "受市场需求变化影响，目标产品价格大幅下降，项目产业化应用前景发生根本变化。",
    "专家组经实地核查和论证，认为项目负责人已履行勤勉尽责义务，未发现违规行为和科研失信行为。",
    "项目取得的阶段性成果已形成专利和技术报告，相关数据完整保存，可供后续研究利用。",
]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def unit(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return rng.choice(UNIVERSITIES)
    if kind < 0.5:
        return f"{rng.choice(CITIES)}市{rng.choice(FIELDS)}研究院"
    if kind < 0.6:
        return f"中国科学院{rng.choice(CITIES)}{rng.choice(FIELDS)}研究所"
    return f"{rng.choice(CITIES)}{rng.choice(BRANDS)}{rng.choice(COMPANY_KINDS)}"


def project_name(rng: random.Random) -> str:
    return rng.choice(NAME_PATTERNS).format(
        tech=rng.choice(TECH), obj=rng.choice(OBJECTS), app=rng.choice(APPLICATIONS)
    )


def _fill(rng: random.Random, parts: list[str], low: int, high: int) -> str:
    """Parts in order until the text reaches a length drawn from [low, high], never past
    ``high`` (a part that would overshoot is skipped)."""
    target = rng.randint(low, high)
    text = ""
    for part in parts:
        if len(text) >= target:
            break
        if len(text) + len(part) <= high:
            text += part
    return text


def introduction(rng: random.Random, **values) -> str:
    sentences = [s.format(policy=POLICY, **values) for s in INTRO_SENTENCES]
    # Keep the order of a real notice: the basis and result first, the closing formula last.
    head, middle, tail = sentences[:6], sentences[6:-1], sentences[-1]
    rng.shuffle(middle)
    if rng.random() < 0.5:
        head = head[1:]
    text = _fill(rng, head + middle, 200, 395)
    return text + tail


def explanation(rng: random.Random, reasons: list[str]) -> str:
    parts = [EXPLANATIONS[code] for code in reasons]
    tails = EXPLANATION_TAILS[:]
    rng.shuffle(tails)
    text = _fill(rng, parts + tails, 100, 300)
    return text if text.endswith("。") else text.rstrip("，") + "，决定不予认定。"


def exemption_note(rng: random.Random) -> str:
    notes = EXEMPTION_NOTES[:]
    rng.shuffle(notes)
    return _fill(rng, notes, 100, 300)
