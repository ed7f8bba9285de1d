"""Sample failure reports (clearly labelled 【示例】), de-identified as the guard requires.

One is related to the demo's finalised notice (load_demo_notices), so the portal shows the link
from a report to its decision notice; the guard checks it against that notice's items.
"""

from django.db import transaction

from cms.core.site_tree import ensure_home
from cms.notices.models import DecisionNoticePage

from .models import LessonPage
from .site_tree import ensure_lesson_index

DEMO_PREFIX = "【示例】"
#: The demo notice whose results are final (load_demo_notices): the first report relates to it.
RELATED_NOTICE_SLUG = "demo-2025-09"

REPORTS = [
    {
        "slug": "demo-solid-electrolyte-interface",
        "title": "固态电解质界面调控研究的失败经验总结",
        "field_of_study": "材料科学（储能材料）",
        "programme": "key_rd",
        "start_year": 2021,
        "end_year": 2024,
        "related": True,
        "summary": "项目试图在高电流密度下同时抑制界面副反应和锂枝晶生长，现有表征手段无法在工况下"
        "观察界面演化，关键指标未能达到。报告分析了失败原因，并给出后续研究可借鉴的路径。",
        "approach": "项目采用原位聚合方法在正负极与固态电解质之间构建柔性复合界面层，"
        "先后尝试了三类聚合物骨架和两种无机填料配比，并在扣式电池和软包电池两个层级开展验证。"
        "第二年起引入界面预锂化工艺，试图降低首次循环的不可逆容量损失。",
        "failure_analysis": "低电流密度下界面阻抗明显下降，但电流密度提高到目标值后，界面副反应与"
        "锂枝晶生长无法同时抑制：抑制其一的配方总会加剧另一方。现有实验条件下无法在电池工作状态中"
        "直接观察界面的演化过程，配方调整只能依赖拆解后的离线表征，迭代缓慢、因果难以确认。"
        "经专家评审，认定属于现有水平和条件难以克服的技术问题。",
        "lessons": "一是在立项阶段应把原位表征能力作为关键前置条件，没有工况下的观测手段，"
        "界面类课题难以收敛；二是高电流密度指标宜分阶段设定，先验证机理再提指标；"
        "三是项目中期发现两种失效机制相互制约时，应及时报备调整技术路线，而不是继续扩大配方筛选。",
        "scientific_value": "项目积累的界面失效数据和配方筛选记录完整，"
        "排除了若干看似可行的材料体系，对后续固态电池界面研究有明确的借鉴价值。建议后续同类项目优先建设原位表征平台，"
        "相关数据可按科技报告制度向同行开放。",
    },
    {
        "slug": "demo-fermentation-pathway",
        "title": "工业发酵产物合成途径改造项目的失败经验总结",
        "field_of_study": "生物技术（合成生物学）",
        "programme": "natural_science_fund",
        "start_year": 2020,
        "end_year": 2023,
        "related": False,
        "summary": "项目选择在单一底盘细胞中重构完整合成途径，代谢负担过重导致产量始终达不到"
        "预期。报告认为技术路线选择失误是主要原因，并总结了路线论证的经验。",
        "approach": "项目选择在一种常用工业底盘细胞中一次性引入完整的异源合成途径，通过启动子文库"
        "和基因拷贝数调节平衡各步反应，并建立了小试发酵评价流程。",
        "failure_analysis": "途径中两个关键酶在该底盘细胞中表达不稳定，改造后的菌株在连续传代中"
        "产量迅速下降；为维持表达所需的代谢负担又抑制了细胞生长。项目后期对比发现，采用分段合成、"
        "多菌共培养的路线更为可行，但已无法在项目周期内完成切换。经认定，属于技术路线选择失误。",
        "lessons": "复杂途径的底盘选择应在立项前做小规模的多路线对比，而不是在单一路线上持续投入；"
        "遗传稳定性应与产量同时作为阶段考核指标；路线调整应按规定及时报备。",
        "scientific_value": "项目对关键酶在不同条件下表达稳定性的系统数据，以及失败路线的完整记录，"
        "可避免后续研究重复投入；其中的评价流程已被同领域其他课题采用。",
    },
    {
        "slug": "demo-ocean-buoy-network",
        "title": "近海环境监测浮标组网应用研究的失败经验总结",
        "field_of_study": "海洋科学（环境监测）",
        "programme": "basic_public_welfare",
        "start_year": 2019,
        "end_year": 2022,
        "related": False,
        "summary": "项目研发期间，同类低功耗组网关键技术已由他人公开并形成标准化产品，本项目的研发"
        "工作失去必要性。报告总结了查新和动态跟踪方面的经验。",
        "approach": "项目计划研制低功耗近海监测浮标，并以自组网方式实现多参数数据的实时回传，"
        "完成了样机设计、水池试验和一次短期海上试验。",
        "failure_analysis": "项目执行第二年，国内外多家机构公开了同类低功耗组网的关键技术，"
        "相关产品已通过标准化认证并批量供货，继续自研的成本明显高于采购集成。"
        "经核实，属于关键技术已由他人公开、致使研究开发工作成为不必要的情形。",
        "lessons": "立项时的查新应延伸到在研项目和标准制定动态；执行中应定期跟踪技术进展，"
        "发现替代方案时及时评估并按程序申请调整或终止，尽早释放经费和人力。",
        "scientific_value": "项目获得的近海复杂海况下浮标姿态和能耗的实测数据具有公益价值，"
        "可用于后续监测网络的布设设计；已按要求整理归档。",
    },
]


@transaction.atomic
def load_demo_lessons(user=None) -> list[LessonPage]:
    """Create and publish the sample reports once; [] when they are already there."""
    index = ensure_lesson_index(ensure_home())
    if LessonPage.objects.filter(title__startswith=DEMO_PREFIX).exists():
        return []
    related = DecisionNoticePage.objects.filter(slug=RELATED_NOTICE_SLUG, live=True).first()
    made = []
    for report in REPORTS:
        values = {key: value for key, value in report.items() if key != "related"}
        lesson = LessonPage(
            **{**values, "title": DEMO_PREFIX + values["title"]},
            related_notice=related if report["related"] else None,
        )
        index.add_child(instance=lesson)
        lesson.save_revision(user=user).publish(user=user)
        lesson.refresh_from_db()
        made.append(lesson)
    return made
