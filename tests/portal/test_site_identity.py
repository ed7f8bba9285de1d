"""What every page of a government site must carry (政府网站发展指引): the sponsor and its contact
details, the site's identifiers linked to their records, and a 网站地图, as the footer of every
page of the built portal shows them; values not set are not shown at all, demo samples are
marked; and a change to them renders every page again, however little else changed."""

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import Site

from cms.core.models import SiteIdentity
from cms.core.site_identity import SAMPLE_VALUES
from portal import site_identity, site_map
from portal.build import build_portal
from portal.sources import UNCHANGED

ROOT = Path(__file__).resolve().parents[2]
uses_cms = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONTACT_LABELS = ("主办单位", "承办单位", "地址", "邮编", "电话", "电子邮箱", "办公时间")
RECORD_LABELS = ("网站标识码", "ICP备案编号", "公安机关备案号")
SAMPLE_MARK = "（示例值）"


def _soup(output: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((output / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def _facts(footer) -> dict[str, str]:
    """The footer's identity as label → value text."""
    return {
        div.find("dt").get_text().rstrip("："): div.find("dd").get_text()
        for div in footer.select(".site-identity dl > div")
    }


def _target(output: Path, page_url: str, href: str) -> Path:
    return (output / page_url / href.split("#")[0]).resolve()


def _pages(output: Path) -> list[Path]:
    return [p for p in output.rglob("index.html") if "pagefind" not in p.parts]


# --- what the export keeps ---------------------------------------------------------------------


def test_only_known_values_as_plain_text_and_only_web_addresses_as_links_are_kept():
    identity = site_identity.identity_from({
        "sponsor": "  浙江省\n科学技术厅 ",
        "phone": 571,
        "icp_number": "浙ICP备12345678号",
        "icp_url": "https://beian.miit.gov.cn/",
        "conac_url": "javascript:alert(1)",
        "error_report_url": "//elsewhere.example/",
        "secret": "kept out",
        "samples": ["icp_number", "phone", "secret"],
    })  # fmt: skip
    assert identity["sponsor"] == "浙江省 科学技术厅"
    assert identity["phone"] == "" and "secret" not in identity
    assert identity["icp_url"] == "https://beian.miit.gov.cn/"
    assert identity["conac_url"] == identity["error_report_url"] == ""
    assert identity["samples"] == ["icp_number"]  # a sample only of a value that is shown
    assert site_identity.identity_from(None) == site_identity.empty()


def test_the_site_map_lists_the_sections_the_site_has():
    def source(url, template="page", title="", cms=None):
        metadata = {"url": url, "template": template, "title": title}
        return {"metadata": metadata, "cms": cms or {"title": title}}

    sources = {
        "home.json": source(""),
        "policies.json": source("policies/", "policy_index"),
        "policies/a.json": source("policies/a/", "policy", "政策甲"),
        "notices/n.json": UNCHANGED,  # a notice kept from the last build: not listed
        "objections/status.json": source("objections/status/"),
    }
    sections = site_map.site_map(sources, {"about/", "privacy/"})
    by_title = {section["title"]: section for section in sections}
    assert list(by_title) == ["首页", "政策文件", "异议", "关于本站"]  # no guidance, lessons…
    assert by_title["政策文件"]["parts"] == [{"title": "政策甲", "url": "policies/a/", "parts": []}]
    # A section without its own page is a heading of the parts it has.
    assert by_title["异议"]["url"] is None
    assert [part["title"] for part in by_title["异议"]["parts"]] == ["查询异议处理结果"]
    assert [part["url"] for part in by_title["关于本站"]["parts"]] == ["privacy/"]


def test_the_hand_written_pages_are_found_by_their_slug(tmp_path):
    (tmp_path / "about.md").write_text("Title: 关于本站\nSlug: about\n\n正文 Slug: x\n")
    (tmp_path / "help.md").write_text("Title: 帮助\n\n正文\n")
    assert site_map.hand_written_urls(tmp_path) == {"about/", "help/"}


# --- the demo portal ---------------------------------------------------------------------------


@uses_cms
def test_every_page_shows_the_identity_with_links_to_the_records_and_marks_the_samples(site):
    output = site.output
    pages = _pages(output)
    assert len(pages) > 20
    for page in pages:
        assert "<dt>网站标识码：</dt>" in page.read_text(encoding="utf-8"), page

    home = _soup(output, "")
    assert home.select_one(".site-owner").get_text() == SAMPLE_VALUES["sponsor"]
    footer = home.find("footer")
    facts = _facts(footer)
    assert list(facts) == [*CONTACT_LABELS, *RECORD_LABELS]
    assert facts["主办单位"] == SAMPLE_VALUES["sponsor"]  # the department: no sample
    assert facts["承办单位"] == SAMPLE_VALUES["organizer"]  # a sample that says so itself
    for label, name in (("网站标识码", "site_code"), ("ICP备案编号", "icp_number"),
                        ("电话", "phone"), ("电子邮箱", "email"), ("邮编", "postcode"),
                        ("公安机关备案号", "public_security_number")):  # fmt: skip
        assert facts[label] == SAMPLE_VALUES[name] + SAMPLE_MARK, label

    links = {a.get_text(): a["href"] for a in footer.select(".site-identity a")}
    assert links[SAMPLE_VALUES["icp_number"]] == "https://beian.miit.gov.cn/"
    assert links[SAMPLE_VALUES["public_security_number"]] == (
        "https://beian.mps.gov.cn/#/query/webSearch?code=33000000000000"
    )
    assert links[SAMPLE_VALUES["phone"]] == "tel:0571-00000001"
    assert links[SAMPLE_VALUES["email"]] == "mailto:site@example.invalid"
    report = urlsplit(links["我为政府网站找错"])
    assert (report.scheme, report.netloc) == ("https", "zfwzzc.www.gov.cn")
    assert parse_qs(report.query)["siteCode"] == [SAMPLE_VALUES["site_code"]]

    badge = footer.select_one("a.conac-badge")
    assert badge["href"] == SAMPLE_VALUES["conac_url"]
    image = badge.find("img")
    assert image["alt"].startswith("党政机关网站标识") and image["alt"].endswith(SAMPLE_MARK)
    badge_file = _target(output, "", image["src"])
    assert badge_file.is_file() and badge_file.read_bytes().startswith(b"<svg")

    # The same footer deeper in the site, its own files linked relative to the page.
    policy = _soup(output, "policies/exemption-policy/")
    assert _facts(policy.find("footer")) == facts
    src = policy.select_one("a.conac-badge img")["src"]
    assert _target(output, "policies/exemption-policy/", src) == badge_file


@uses_cms
def test_the_site_map_is_a_nested_list_of_every_section_linked_from_every_footer(site):
    output = site.output
    for url in ("", "notices/", "lessons/"):
        footer_links = {a.get_text(): a["href"] for a in _soup(output, url).select("footer a")}
        assert _target(output, url, footer_links["网站地图"]) == (output / "sitemap").resolve()

    page = _soup(output, "sitemap/")
    assert page.find("h1").get_text() == "网站地图"
    nav = page.find("nav", attrs={"aria-label": "网站地图"})
    top = nav.find("ul", recursive=False).find_all("li", recursive=False)
    titles = [li.find(["a", "span"], recursive=False).get_text() for li in top]
    assert titles == ["首页", "政策文件", "申报指南", "公示公告", "异议", "失败经验总结", "服务",
                      "关于本站"]  # fmt: skip
    policies = top[1].find("ul").find_all("a")
    assert sorted(a.get_text() for a in policies) == sorted(p["title"] for p in site.policies)
    notices = [a.get_text() for a in top[3].find("ul").find_all("a")]
    assert notices == ["公示结束", "认定结果", "公示记录", "统计"]
    links = nav.find_all("a")
    assert len(links) >= 18
    for link in links:
        target = _target(output, "sitemap/", link["href"])
        assert (target / "index.html").is_file(), link["href"]


# --- values left out, and every page rendered again when they change ---------------------------


@uses_cms
def test_values_not_set_are_not_shown_and_a_change_renders_every_page_again(live_server, tmp_path):
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")

    def build():
        return build_portal(live_server.url, site_dir=tmp_path / "site", content_dir=content)

    first = build()
    home = _soup(first.output, "")
    assert home.select_one(".site-owner") is None
    assert home.select_one(".site-identity") is None
    footer_text = home.find("footer").get_text()
    for label in (*CONTACT_LABELS, *RECORD_LABELS, "我为政府网站找错", "党政机关"):
        assert label not in footer_text, label
    assert "网站地图" in footer_text

    SiteIdentity.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"sponsor": "某省科学技术厅", "icp_number": "浙ICP备12345678号"},
    )
    second = build()
    assert second.mode == "full" and second.rendered == second.pages  # every page again
    pages = _pages(second.output)
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<dt>主办单位：</dt><dd>某省科学技术厅</dd>" in html, page
        assert 'href="https://beian.miit.gov.cn/">浙ICP备12345678号</a>' in html, page
    footer = _soup(second.output, "").find("footer")
    assert _facts(footer) == {"主办单位": "某省科学技术厅", "ICP备案编号": "浙ICP备12345678号"}
    assert footer.select_one(".conac-badge") is None
    assert "我为政府网站找错" not in footer.get_text()  # it needs the site code
    assert SAMPLE_MARK not in footer.get_text()

    third = build()  # nothing changed: nothing rendered
    assert (third.mode, third.rendered) == ("incremental", 0)
