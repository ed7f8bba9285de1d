"""Builds the guidance page (申报指南) and its FAQ (常见问题) from the parsed seed policy.

Everything the pages say comes from the policy itself: the scope from 二（一）, the grounds and
exclusions as codes (their texts stay on the policy page), the materials, deadline and steps from
三, the handling body from 三's closing paragraph, the effect and duties from 四（一） and 四（二）.
Like the policy, the pages are created once; a second run changes nothing, and a page an editor
changed is overwritten only with ``force``.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import escape

from cms.domain.clauses import EXCLUSIONS, GROUNDS, REJECTION_REASONS
from cms.domain.numerals import chinese_numeral_to_int, clause_anchor
from cms.domain.programmes import HandlingBody, Programme, handling_body_for
from cms.policies.seed_parser import ParsedPolicy

from .models import FaqPage, GuidancePage

GUIDANCE_SLUG = "guidance"
FAQ_SLUG = "faq"
GUIDANCE_TITLE = "申报指南"
FAQ_TITLE = "常见问题"

# 二（一）: "对<who>，在使用<funds>开展<activity>过程中出现<failure>，提出的<application>，…"
SCOPE_RE = re.compile(
    r"对(?P<who>[^，]+?科研人员)，在(?P<funds>使用[^，]*?资金)开展(?P<activity>[^，]+?活动)"
    r"过程中(?P<failure>出现[^，]+?)，提出的(?P<application>[^，]+?申请)"
)
# 三（一）: "…可在<when>，经<unit>审核，向<to>提出书面申请并提交相关材料，包括<materials>等。"
MATERIALS_RE = re.compile(r"包括(?P<list>[^。]+?)等?。")
DEADLINE_RE = re.compile(r"^(?P<deadline>.+?提交相关材料)")


class GuidanceSeedError(ValueError):
    """The policy text no longer has the passage the guidance is built from."""


@dataclass
class _Sections:
    policy: ParsedPolicy

    def section(self, number: int) -> dict[str, Any]:
        for block in self.policy.sections:
            if chinese_numeral_to_int(block["value"]["number"]) == number:
                return block["value"]
        raise GuidanceSeedError(f"the policy has no section {number}")

    def subsections(self, number: int) -> list[dict[str, Any]]:
        content = self.section(number)["content"]
        return [c["value"] for c in content if c["type"] == "subsection"]

    def subsection(self, number: int, sub: int) -> dict[str, Any]:
        for value in self.subsections(number):
            if chinese_numeral_to_int(value["number"]) == sub:
                return value
        raise GuidanceSeedError(f"the policy has no sub-section {number}.{sub}")

    def text(self, number: int, sub: int) -> str:
        value = self.subsection(number, sub)
        paragraphs = [c["value"] for c in value["content"] if c["type"] == "paragraph"]
        return value["lead"] or "".join(paragraphs)

    def section_paragraphs(self, number: int) -> list[str]:
        content = self.section(number)["content"]
        return [c["value"] for c in content if c["type"] == "paragraph"]


def _scope_conditions(sections: _Sections) -> list[dict[str, Any]]:
    anchor = REJECTION_REASONS["out_of_scope"].anchor  # 二（一）
    text = sections.text(2, 1)
    match = SCOPE_RE.search(text)
    if match is None:  # the wording changed: the whole clause is the one condition
        parts = [text]
    else:
        parts = [
            match["who"],
            match["funds"],
            f"开展{match['activity']}",
            f"在上述活动中{match['failure']}",
            f"提出{match['application']}",
        ]
    return [{"type": "condition", "value": {"text": p, "anchor": anchor}} for p in parts]


def _materials(sections: _Sections) -> list[dict[str, Any]]:
    match = MATERIALS_RE.search(sections.text(3, 1))
    if match is None:
        raise GuidanceSeedError("三（一） no longer lists the materials to hand in")
    names = [n.strip() for n in re.split(r"[、，,]", match["list"]) if n.strip()]
    return [{"type": "material", "value": {"name": n, "note": ""}} for n in names]


def _steps(sections: _Sections) -> list[dict[str, Any]]:
    steps = []
    for value in sections.subsections(3):
        number = chinese_numeral_to_int(value["number"])
        publicity = "公示" in value["heading"]
        steps.append(
            {
                "type": "step",
                "value": {
                    "title": value["heading"],
                    "text": value["lead"],
                    "anchor": clause_anchor(3, number),
                    "publicity": publicity,
                },
            }
        )
    if len(steps) < 2 or sum(s["value"]["publicity"] for s in steps) != 1:
        raise GuidanceSeedError("三 no longer lists the procedure with one publicity step")
    return steps


def _handling_note(sections: _Sections) -> str:
    office = HandlingBody.FOUNDATION_OFFICE.label
    for paragraph in sections.section_paragraphs(3):
        if office in paragraph:
            return paragraph
    raise GuidanceSeedError(f"三 no longer says what the {office} handles")


def guidance_fields(parsed: ParsedPolicy) -> dict[str, Any]:
    """The guidance page's content, from the parsed policy (StreamFields in raw form)."""
    sections = _Sections(parsed)
    apply_text = sections.text(3, 1)
    deadline = DEADLINE_RE.search(apply_text)
    basic = Programme.BASIC_PUBLIC_WELFARE
    return {
        "title": GUIDANCE_TITLE,
        "introduction": (
            f"本指南依据{parsed.issuing_body}《{parsed.title}》编写，说明谁可以申请容错免责、"
            "哪些情形适用或不适用、需要提交哪些材料、由谁受理以及认定后的要求。"
            "各条均链接到政策原文，以原文为准。"
        ),
        "scope_conditions": _scope_conditions(sections),
        "ground_codes": [{"type": "ground", "value": {"code": c, "note": ""}} for c in GROUNDS],
        "exclusion_codes": [
            {"type": "exclusion", "value": {"code": c, "note": ""}} for c in EXCLUSIONS
        ],
        "checklist": _materials(sections),
        "deadline": (deadline["deadline"] if deadline else apply_text.split("，包括")[0]) + "。",
        "deadline_anchor": REJECTION_REASONS["after_acceptance"].anchor,  # 三（一）
        "procedure": _steps(sections),
        "handling_note": _handling_note(sections),
        "handling_note_anchor": clause_anchor(3),
        "exemption_effect": sections.text(4, 1),
        "exemption_effect_anchor": clause_anchor(4, 1),
        "after_exemption": sections.text(4, 2),
        "after_exemption_anchor": clause_anchor(4, 2),
        "contact_list": [
            {
                "type": "contact",
                "value": {
                    "name": body.label,
                    "handles": (
                        f"{basic.label}的容错免责申请"
                        if body is handling_body_for([basic])
                        else f"{basic.label}以外的省级科技计划项目的容错免责申请"
                    ),
                    "phone": "",
                    "email": "",
                    "address": "",
                },
            }
            for body in HandlingBody
        ],
        "form_downloads": [],
    }


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def faq_fields(parsed: ParsedPolicy, guidance: dict[str, Any]) -> dict[str, Any]:
    """A handful of real questions, answered from the policy text and the rules."""
    sections = _Sections(parsed)
    days = settings.PUBLICITY_DAYS
    exclusions = "；".join(f"{c.code} {c.label}" for c in EXCLUSIONS.values())
    office, department = HandlingBody.FOUNDATION_OFFICE.label, HandlingBody.DEPARTMENT.label
    publicity = next(s for s in guidance["procedure"] if s["value"]["publicity"])["value"]
    entries = [
        (
            "什么时候、通过什么途径提出申请？",
            guidance["deadline"] + "项目验收后提出的申请不予认定。",
            guidance["deadline_anchor"],
        ),
        (
            "什么情况下不予免责？",
            f"{sections.subsection(2, 3)['lead'] or '存在下列情形之一的，不适用容错免责：'}"
            f"{exclusions}。此外，不属于适用范围、未能认定适用情形、未能证明履行勤勉尽责义务的，"
            "也不予认定，并说明理由。",
            clause_anchor(2, 3),
        ),
        (
            "公示期多长？",
            f"认定决定作出后在本平台公示，公示期为{days}天（含公示首日，按北京时间计算，"
            "至最后一天24时结束）。公示期内，任何单位和个人可实名提出异议，"
            "省科技厅核实有关情况并提出调查处理意见。",
            publicity["anchor"],
        ),
        (
            "由谁受理？",
            f"{Programme.BASIC_PUBLIC_WELFARE.label}的容错免责申请由{office}受理，"
            f"组织开展调查核实和专家评审；其他省级科技计划项目的申请由{department}受理。",
            guidance["handling_note_anchor"],
        ),
        (
            "被认定容错免责有什么效果？",
            guidance["exemption_effect"],
            guidance["exemption_effect_anchor"],
        ),
        ("免责后还要做什么？", guidance["after_exemption"], guidance["after_exemption_anchor"]),
    ]
    return {
        "title": FAQ_TITLE,
        "introduction": "关于容错免责申请的常见问题。回答摘自政策原文，以原文为准。",
        "entries": [
            {"type": "question", "value": {"question": q, "answer": _p(a), "anchor": anchor}}
            for q, a, anchor in entries
        ],
    }


def _raw(page, name: str) -> Any:
    value = getattr(page, name)
    if hasattr(value, "raw_data"):
        return [{"type": b["type"], "value": b["value"]} for b in value.raw_data]
    return value


def _differs(page, wanted: dict[str, Any]) -> bool:
    return any(_raw(page, name) != value for name, value in wanted.items())


def _apply(page, wanted: dict[str, Any]) -> None:
    for name, value in wanted.items():
        setattr(page, name, value)


def ensure_guidance(home, policy, parsed: ParsedPolicy, *, force: bool = False) -> list[str]:
    """Create or (with force) overwrite the guidance page and its FAQ; messages to report."""
    messages = []
    wanted = guidance_fields(parsed)
    page = GuidancePage.objects.filter(slug=GUIDANCE_SLUG).first()
    if page is None:
        page = GuidancePage(slug=GUIDANCE_SLUG, policy=policy, **wanted)
        home.add_child(instance=page)
        page.save_revision().publish()
        messages.append(f"已载入申报指南：{page.title}")
    elif _differs(page, wanted) or page.policy_id != policy.pk:
        if force:
            _apply(page, wanted)
            page.policy = policy
            page.save_revision().publish()
            messages.append(f"已按政策原文覆盖申报指南：{page.title}")
        else:
            messages.append(f"申报指南已存在且内容不同（可能已被编辑），未覆盖：{page.title}")
    else:
        messages.append(f"申报指南已是最新，未作改动：{page.title}")

    wanted_faq = faq_fields(parsed, wanted)
    faq = FaqPage.objects.filter(slug=FAQ_SLUG).first()
    if faq is None:
        faq = FaqPage(slug=FAQ_SLUG, **wanted_faq)
        page.add_child(instance=faq)
        faq.save_revision().publish()
        messages.append(f"已载入常见问题：{faq.title}")
    elif _differs(faq, wanted_faq):
        if force:
            _apply(faq, wanted_faq)
            faq.save_revision().publish()
            messages.append(f"已按政策原文覆盖常见问题：{faq.title}")
        else:
            messages.append(f"常见问题已存在且内容不同（可能已被编辑），未覆盖：{faq.title}")
    else:
        messages.append(f"常见问题已是最新，未作改动：{faq.title}")
    return messages
