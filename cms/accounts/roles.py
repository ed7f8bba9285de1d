"""The staff roles (Wagtail groups made by the apps' migrations) and what each is for, in the
words the admin shows beside the group: on the groups listing and in the user form."""

from collections.abc import Iterable

from django.conf import settings

# In the order a new colleague should read them.
ROLE_DUTIES = {
    "编辑": "起草和修改决定公告、政策文件和失败经验总结，提交集体审定；查看并答复政策征求意见"
    "（看不到意见人身份）。",
    "审定": "集体审定决定公告（通过后按公示开始日上线），确认认定结果、撤回公告、导出免责标注；"
    "也可起草和修改内容。",
    "异议处理": "查看、调查核实和答复公示期内的异议，可查看异议人身份、联系方式和证明材料。",
    "征求意见处理": "查看和答复政策征求意见，可查看意见人身份和联系方式。",
}
SECOND_FACTOR_NOTE = "登录须两步验证。"


def role_description(group_name: str) -> str | None:
    """What members of the group do, and whether their login needs a second factor; None for a
    group that is no role of the platform."""
    duties = ROLE_DUTIES.get(group_name)
    if duties is None:
        return None
    if group_name in settings.SECOND_FACTOR_GROUPS:
        return duties + SECOND_FACTOR_NOTE
    return duties


def described_roles(group_names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, description) of the roles among ``group_names``, in ``ROLE_DUTIES`` order."""
    present = set(group_names)
    return [
        (name, description)
        for name in ROLE_DUTIES
        if name in present and (description := role_description(name)) is not None
    ]
