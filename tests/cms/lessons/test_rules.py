"""The de-identification guard on its own: what it refuses, on which field, and what it lets by."""

import pytest

from cms.domain.errors import GuardError
from cms.lessons.rules import Identifiers, check_deidentified, ensure_deidentified

NOTICE = Identifiers.of(
    leaders=["张三", "李四", "王"],  # a one-character name is too short to look for
    units=["某某大学", "某研究院"],
    codes=["ZJ2026-001"],
)
CLEAN = (
    "项目采用原位聚合方法构建复合界面层，2021—2024年间先后尝试三类聚合物骨架，"
    "电流密度提高到3 mA/cm²后界面副反应加剧，经费结余135000元已退回。"
)


def _codes(text: str, identifiers: Identifiers = NOTICE, field: str = "approach") -> list[str]:
    return [error.code for error in check_deidentified({field: text}, identifiers)]


def test_ordinary_report_text_passes():
    assert check_deidentified({"approach": CLEAN, "lessons": "", "summary": None}, NOTICE) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("项目负责人张三带领团队开展实验。", "names_project_leader"),
        ("由张 三牵头。", "names_project_leader"),  # spaces do not hide a name
        ("依托某某大学的平台完成。", "names_undertaking_unit"),
        ("项目（编号ZJ2026-001）于中期调整。", "names_project_code"),
        ("项目编号 zj2026-001。", "names_project_code"),  # nor does case
        ("项目编号ＺＪ２０２６－００１。", "names_project_code"),  # nor full-width characters
    ],
)
def test_the_related_notice_s_leader_unit_and_code_are_refused(text, code):
    assert _codes(text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "联系人手机13812345678。",
        "手机 138 1234 5678",
        "电话+86-138-1234-5678",
        "电话0571-87654321",
        "电话（0571）87654321",
        "电话(0571) 8765 4321",
        "咨询热线400-123-4567",
        "手机１３８１２３４５６７８",  # full-width digits
    ],
)
def test_phone_numbers_are_refused(text):
    assert _codes(text, Identifiers()) == ["contains_phone"]


@pytest.mark.parametrize("text", ["邮箱zhang.san@example.com。", "邮箱 li_si @ lab.example.edu.cn"])
def test_email_addresses_are_refused(text):
    assert _codes(text, Identifiers()) == ["contains_email"]


@pytest.mark.parametrize(
    "text", ["身份证号330106199001011234。", "号码33010619900101123x", "旧证号330106900101123"]
)
def test_id_card_numbers_are_refused_and_not_also_as_phones(text):
    assert _codes(text, Identifiers()) == ["contains_id_number"]


@pytest.mark.parametrize(
    "text",
    [
        "2019-2022年",
        "经费 1350 万元，完成 12 项测试",
        "样品编号 20230101-0001",
        "共 10000000 次循环",
        "DOI 10.1000/182",
        "1:500 比例尺",
    ],
)
def test_numbers_that_are_not_contact_details_pass(text):
    assert _codes(text, Identifiers()) == []


def test_every_problem_is_reported_on_its_own_field_with_both_languages():
    errors = check_deidentified(
        {
            "title": "张三课题组的失败经验",
            "summary": "见正文。",
            "lessons": "欢迎联系 zs@example.com 或 13812345678。",
        },
        NOTICE,
    )
    assert [(e.field, e.code) for e in errors] == [
        ("title", "names_project_leader"),
        ("lessons", "contains_phone"),
        ("lessons", "contains_email"),
    ]
    title = errors[0]
    assert isinstance(title, GuardError)
    assert "“标题”" in title.message and "张三" in title.message and "脱敏" in title.message
    assert title.message_en.startswith("The title names the related notice's project leader")
    assert "电话号码" in errors[1].message and "e-mail" in errors[2].message_en


def test_without_a_related_notice_only_the_patterns_apply():
    assert _codes("张三在某某大学完成了ZJ2026-001。", Identifiers()) == []
    assert _codes("张三在某某大学完成了ZJ2026-001。") == [
        "names_project_leader",
        "names_undertaking_unit",
        "names_project_code",
    ]


def test_ensure_raises_the_first_problem():
    ensure_deidentified({"approach": CLEAN}, NOTICE)
    with pytest.raises(GuardError) as raised:
        ensure_deidentified({"approach": "李四负责。"}, NOTICE)
    assert raised.value.code == "names_project_leader" and raised.value.field == "approach"
