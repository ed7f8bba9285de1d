"""The guidance page (guidance/) and the FAQ (guidance/faq/) of the demo portal, built from the
seeded policy: checklist, timeline, clause links, handling bodies, and the FAQ's questions."""

from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from cms.domain.programmes import HandlingBody, Programme
from portal.guidance import faq_source, guidance_source
from portal.urls import FAQ_URL, GUIDANCE_URL

from .browser import _require, in_browser_thread, pdf_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SITE = "http://site.invalid/"


def _soup(site, url: str) -> BeautifulSoup:
    return BeautifulSoup(
        (site.output / url / "index.html").read_text(encoding="utf-8"), "html.parser"
    )


def _policy(site) -> BeautifulSoup:
    return _soup(site, "policies/exemption-policy/")


def _target(href: str, page_url: str) -> tuple[str, str]:
    parts = urlsplit(urljoin(SITE + page_url, href))
    return parts.path.lstrip("/"), parts.fragment


def test_the_guidance_page_is_searchable_and_in_the_main_navigation(site):
    soup = _soup(site, GUIDANCE_URL)
    assert soup.find("article", attrs={"data-pagefind-body": True}) is not None
    nav = soup.find("nav", attrs={"aria-label": "主导航"})
    current = nav.find("a", attrs={"aria-current": "page"})
    assert current.get_text() == "申报指南"
    assert _target(current["href"], GUIDANCE_URL) == (GUIDANCE_URL, "")
    home_nav = _soup(site, "").find("nav", attrs={"aria-label": "主导航"})
    link = home_nav.find("a", string="申报指南")
    assert _target(link["href"], "") == (GUIDANCE_URL, "")


def test_the_materials_are_a_printable_checklist_named_as_in_the_policy(site):
    soup = _soup(site, GUIDANCE_URL)
    items = soup.select("#materials ul.checklist-items > li")
    names = []
    for item in items:
        box = item.find("input", attrs={"type": "checkbox"})
        label = item.find("label")
        assert label["for"] == box["id"]
        names.append(label.get_text(strip=True))
    assert names == ["容错免责认定申请书", "情况说明及佐证材料", "所在单位证明", "经费审计报告",
                     "实施绩效资料"]  # fmt: skip
    apply = _policy(site).find(id="s3-1").get_text()
    assert all(name in apply for name in names)


def test_the_procedure_is_an_ordered_timeline_with_the_publicity_length(site):
    soup = _soup(site, GUIDANCE_URL)
    steps = soup.select("#procedure ol.timeline > li")
    titles = [step.find("h3").get_text(strip=True) for step in steps]
    days = settings.PUBLICITY_DAYS
    assert titles == ["提出申请", "调查核实", "专家评审", "集体审定", f"结果公示（{days}天）",
                      "反馈归档"]  # fmt: skip
    policy = _policy(site)
    for number, step in enumerate(steps, 1):
        link = step.find("a", class_="clause-link")
        path, fragment = _target(link["href"], GUIDANCE_URL)
        assert (path, fragment) == ("policies/exemption-policy/", f"s3-{number}")
        heading = policy.find(id=f"s3-{number}").find(class_="subsection-heading").get_text()
        assert heading == f"（{'一二三四五六'[number - 1]}）{titles[number - 1][:4]}。"


def test_scope_deadline_handling_and_duties_link_to_their_clauses(site):
    soup = _soup(site, GUIDANCE_URL)
    scope = soup.select("#scope ul.conditions > li")
    assert len(scope) == 5
    for item in scope:
        link = item.find("a", class_="clause-link")
        assert _target(link["href"], GUIDANCE_URL) == ("policies/exemption-policy/", "s2-1")
        assert link.get_text() == "政策原文二（一）"
    expected = {"deadline": "s3-1", "handling": "s3", "effect": "s4-1", "after": "s4-2"}
    for section, anchor in expected.items():
        link = soup.find(id=section).find("a", class_="clause-link")
        assert _target(link["href"], GUIDANCE_URL) == ("policies/exemption-policy/", anchor)
    policy = _policy(site)
    assert soup.find(id="after").find("p").get_text() in policy.find(id="s4-2").get_text()
    rows = {
        row.find("th").get_text(strip=True): row.find("td").get_text(strip=True)
        for row in soup.select("#handling tbody tr")
    }
    assert rows[Programme.BASIC_PUBLIC_WELFARE.label] == HandlingBody.FOUNDATION_OFFICE.label
    assert rows[Programme.KEY_RD.label] == HandlingBody.DEPARTMENT.label


def test_the_guidance_links_to_the_self_check_the_faq_and_the_lessons(site):
    soup = _soup(site, GUIDANCE_URL)
    targets = {_target(a["href"], GUIDANCE_URL)[0] for a in soup.select(".guidance-tools a")}
    assert targets == {"guidance/self-check/", FAQ_URL, "lessons/"}


def test_the_faq_lists_its_questions_with_answers_and_clauses(site):
    soup = _soup(site, FAQ_URL)
    article = soup.find("article", attrs={"data-pagefind-body": True})
    entries = article.select("section.faq-entry")
    questions = [entry.find("h2").get_text(strip=True) for entry in entries]
    assert {"什么情况下不予免责？", "公示期多长？", "由谁受理？", "免责后还要做什么？"} <= set(
        questions
    )
    toc = [a["href"] for a in soup.select('nav[aria-label="问题列表"] a')]
    assert toc == [f"#{entry['id']}" for entry in entries]
    publicity = entries[questions.index("公示期多长？")]
    assert f"公示期为{settings.PUBLICITY_DAYS}天" in publicity.find(class_="faq-answer").get_text()
    link = publicity.find("a", class_="clause-link")
    assert _target(link["href"], FAQ_URL) == ("policies/exemption-policy/", "s3-5")


@in_browser_thread
def test_the_checklist_works_without_javascript_and_prints_without_the_site_around_it(
    site, origin, browser
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{origin}/{GUIDANCE_URL}")
        box = page.get_by_role("checkbox", name="经费审计报告")
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
        page.get_by_text("所在单位证明", exact=True).click()  # the label ticks its box
        assert page.get_by_role("checkbox", name="所在单位证明").is_checked()
        text = pdf_text(page.pdf(format="A4"))
    finally:
        context.close()
    _require(bool(text), "no Chinese font for Chromium (apt-get install fonts-wqy-microhei)")
    assert "申报材料清单" in text and "实施绩效资料" in text and "反馈归档" in text
    for absent in ("跳到正文", "申报资格自查", "本页目录", "隐私声明"):
        assert absent not in text, absent


# --- the sources, without a build ------------------------------------------------------------


def _page(**fields) -> dict:
    return {"id": 7, "title": "常见问题", "meta": {"first_published_at": None}, **fields}


def test_faq_answers_are_cleaned_and_references_need_a_policy():
    guidance = _page(title="申报指南", policy_summary={"slug": "p", "title": "政策"})
    faq = _page(questions=[{
        "question": "问？",
        "answer": '<p onclick="x()">答<script>alert(1)</script></p>',
        "reference": {"anchor": "s3-5", "clause_ref": "三（五）", "heading": "结果公示"},
    }])  # fmt: skip
    entry = faq_source(faq, guidance)["cms"]["questions"][0]
    assert "<script" not in entry["answer_html"] and "onclick" not in entry["answer_html"]
    assert entry["reference"]["url"] == "policies/p/#s3-5"
    alone = faq_source(faq, None)["cms"]["questions"][0]
    assert alone["reference"] is None  # no policy page to link to: no link rather than a dead one


def test_the_guidance_source_is_a_policy_type_page_for_the_feed():
    source = guidance_source(
        _page(
            title="申报指南",
            policy_summary={
                "slug": "p",
                "title": "政策",
                "status_label": "试行",
                "issuing_body": "浙江省科学技术厅",
            },
        )
    )
    assert source["metadata"]["template"] == "guidance"
    assert (source["metadata"]["url"], source["metadata"]["save_as"]) == (
        "guidance/", "guidance/index.html")  # fmt: skip
    assert source["cms"]["status_label"] == "试行"
    assert source["cms"]["policy"] == {"title": "政策", "url": "policies/p/"}
