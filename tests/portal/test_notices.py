"""The publicity part of the portal, built over HTTP from a live CMS holding the demo notices.

The CMS is seeded and the site built once per test session by the ``site`` fixture (conftest.py:
twice, once as configured, once with one entry per listing page); every test then reads the
built files. What a page must say is checked against what the read API reported at export time.
"""

import gzip
import posixpath
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from bs4 import BeautifulSoup

from portal.dates import date_zh
from portal.urls import item_segments, notice_url

ROOT = Path(__file__).resolve().parents[2]
CMS_PUBLIC_URL = "http://cms.test.invalid"  # where conftest's demo build says the CMS is
# The records a government site's footer links its identifiers to (政府网站发展指引): the only
# other hosts a page links to besides the CMS's forms, and only from the footer's identity.
RECORD_SITES = re.compile(
    r"^https://(?:beian\.miit\.gov\.cn|beian\.mps\.gov\.cn|zfwzzc\.www\.gov\.cn|"
    r"(?:[a-z0-9-]+\.)*conac\.cn)/"
)
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# On every page: the large-text, high-contrast toggle (themes/publicity/static/js/a11y.js).
A11Y_SCRIPT = "theme/js/a11y.js"
PANEL_WORDS = ("panel_size", "technical_members", "financial_members", "专家组人数")
CLOSED_HEADINGS = {"corrected": "本公告已更正", "withdrawn": "本公告已撤回"}


# --- helpers ----------------------------------------------------------------------------------


def _soup(output: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((output / page / "index.html").read_text(encoding="utf-8"), "html.parser")


def _resolve(page: str, href: str) -> tuple[str, str]:
    """A relative href on ``page`` (a directory URL like 'notices/') → (site path, fragment).

    A query string (``?item=3``, read by the page's script) is not part of the path."""
    path, fragment = urldefrag(href)
    path = path.split("?", 1)[0]
    if not path:
        return page, fragment
    resolved = posixpath.normpath(posixpath.join(page, path))
    if resolved == ".":
        return "", fragment
    return (resolved + "/" if path.endswith("/") else resolved), fragment


def _listed(output: Path, page: str, section: str | None = None) -> list[str]:
    soup = _soup(output, page)
    scope = soup.find(id=f"{section}-h").find_parent("section") if section else soup
    return [_resolve(page, a["href"])[0] for a in scope.select(".notice-entry-title a")]


def _by_state(site, *states: str) -> list[dict]:
    return [n for n in site.notices if n["window"]["state"] in states]


def _url(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _text(soup: BeautifulSoup) -> str:
    return "".join(soup.get_text().split())


def _notice_titled(site, fragment: str) -> dict:
    [notice] = [n for n in site.notices if fragment in n["title"]]
    return notice


# --- listings ---------------------------------------------------------------------------------


def test_notices_lists_exactly_those_under_publicity(site):
    listed = _listed(site.output, "notices/")
    expected = _by_state(site, "under_publicity")
    assert sorted(listed) == sorted(_url(n) for n in expected)
    assert len(expected) == 3
    text = _text(_soup(site.output, "notices/"))
    assert "第一批科技创新容错免责认定结果的公示" in text
    assert "省基础公益研究专项容错免责认定结果的公示" in text
    assert "第三批科技创新容错免责认定结果的更正公告" in text
    assert "第二批科技创新容错免责认定结果的公示" not in text
    for notice in expected:
        window = notice["window"]
        dates = f"{date_zh(window['start_date'])}至{date_zh(window['end_date'])}"
        assert dates in text
        assert f"剩余{window['days_left']}天" in text
    assert "省自然科学基金委员会办公室" in text and "省科学技术厅" in text


def test_closed_lists_closed_notices_and_apart_the_corrected_and_withdrawn(site):
    closed = _listed(site.output, "notices/closed/", "closed")
    assert closed == [_url(n) for n in _by_state(site, "closed")]
    assert closed
    changed = _listed(site.output, "notices/closed/", "changed")
    assert sorted(changed) == sorted(_url(n) for n in _by_state(site, "corrected", "withdrawn"))
    assert len(changed) == 2

    soup = _soup(site.output, "notices/closed/")
    corrected = _notice_titled(site, "2026年第三批科技创新容错免责认定结果的公示")
    entry = soup.find("a", href=re.compile(re.escape(corrected["meta"]["slug"]) + "/$"))
    entry = entry.find_parent("li", class_="notice-entry")
    assert "已更正" in entry.get_text()
    [correction] = corrected["corrected_by_summary"]
    links = [_resolve("notices/closed/", a["href"])[0] for a in entry.select("dd a")]
    assert links == [notice_url(correction["slug"], correction["id"])]
    withdrawn = soup.select_one(".state-withdrawn")
    assert "已撤回" in withdrawn.get_text() and "撤回日期" in withdrawn.get_text()


def test_results_lists_the_finalised_notice_with_its_date(site):
    finalised = _by_state(site, "finalised")
    assert _listed(site.output, "results/") == [_url(n) for n in finalised]
    [notice] = finalised
    assert date_zh(notice["finalised_on"]) in _text(_soup(site.output, "results/"))


def test_listings_link_to_each_other(site):
    for page in ("notices/", "notices/closed/", "results/"):
        nav = _soup(site.output, page).find("nav", class_="subnav")
        targets = [_resolve(page, a["href"])[0] for a in nav.find_all("a")]
        assert targets == ["notices/", "notices/closed/", "results/"]
        assert _resolve(page, nav.find("a", attrs={"aria-current": "page"})["href"])[0] == page


def test_home_lists_notices_under_publicity_and_the_listings(site):
    soup = _soup(site.output, "")
    section = soup.find(id="home-publicity").find_parent("section")
    listed = [_resolve("", a["href"])[0] for a in section.select(".notice-entry-title a")]
    assert sorted(listed) == sorted(_url(n) for n in _by_state(site, "under_publicity"))
    links = {_resolve("", a["href"])[0] for a in section.select(".listing-links a")}
    assert links == {"notices/", "notices/closed/", "results/"}


def test_listing_pagination(site):
    """One notice a page: the listing shows the newest; its archive, from the oldest (page 1)."""
    open_notices = _by_state(site, "under_publicity")
    count = len(open_notices)
    assert count >= 2
    first = _soup(site.paged, "notices/")
    pager = first.find("nav", attrs={"aria-label": "分页"})
    assert pager.find(attrs={"aria-current": "page"}).get_text() == "最新"
    assert first.find("a", rel="prev") is None
    older = _resolve("notices/", first.find("a", rel="next")["href"])[0]
    assert older == f"notices/page/{count}/"
    newest_archive = _soup(site.paged, older)
    assert f"存档第 {count} 页" in newest_archive.get_text()
    assert _resolve(older, newest_archive.find("a", rel="prev")["href"])[0] == "notices/"
    oldest = _soup(site.paged, "notices/page/1/")
    assert oldest.find("a", rel="next") is None
    assert _resolve("notices/page/1/", oldest.find("a", rel="prev")["href"])[0] == (
        "notices/page/2/"
    )
    assert len(oldest.select(".notice-entry")) == 1
    every_page = [
        url for n in range(1, count + 1) for url in _listed(site.paged, f"notices/page/{n}/")
    ]
    assert sorted(every_page) == sorted(_url(n) for n in open_notices)
    assert _listed(site.paged, "notices/") == _listed(site.paged, f"notices/page/{count}/")
    assert not (site.paged / "notices" / "page" / str(count + 1)).exists()
    assert (site.paged / "notices" / "closed" / "page" / "1" / "index.html").is_file()
    # With the normal page size everything fits on one page, and no pager is shown.
    assert not (site.output / "notices" / "page").exists()
    assert _soup(site.output, "notices/").find("nav", attrs={"aria-label": "分页"}) is None


# --- notice pages -----------------------------------------------------------------------------


def test_each_notice_page_states_its_window_in_absolute_dates(site):
    for notice in site.notices:
        soup = _soup(site.output, _url(notice))
        text = _text(soup)
        window = notice["window"]
        assert notice["notice_number"] in text
        assert _text(BeautifulSoup(window["label"], "html.parser")) in text
        assert f"{date_zh(window['start_date'])}至{date_zh(window['end_date'])}" in text
        assert window["state_label"] in soup.select_one(".notice-state").get_text()
        contact = notice["objection_contact"]
        if window["state"] == "under_publicity":
            assert f"剩余{window['days_left']}天" in text
            assert soup.find(id="objection-h").get_text() == "提出异议"
            for value in contact.values():
                assert _text(BeautifulSoup(value, "html.parser")) in text
        else:
            # A corrected or withdrawn notice says so, whatever its own window (see below).
            heading = CLOSED_HEADINGS.get(window["state"], "公示已结束")
            assert soup.find(id="objection-h").get_text() == heading
            assert contact["email"] not in text and contact["phone"] not in text
            assert soup.select_one(".days-left") is None


def test_items_table_is_accessible_and_links_grounds_and_reasons_to_the_policy(site):
    notice = _notice_titled(site, "2026年第一批")
    page = _url(notice)
    soup = _soup(site.output, page)
    table = soup.find("table", class_="items")
    assert table.find("caption").get_text(strip=True)
    assert table.find_parent("div", class_="table-scroll") is not None
    assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    assert [th["scope"] for th in table.tbody.find_all("th")] == ["row"] * 3
    rows = table.tbody.find_all("tr")
    for item, row in zip(notice["public_items"], rows, strict=True):
        cells = _text(row)
        for field in ("project_code", "project_name", "programme_label", "undertaking_unit",
                      "project_leader", "decision_label"):  # fmt: skip
            assert item[field] in cells
        for cited in item["grounds"] + item["reasons"]:
            expected = f"policies/{cited['policy']['slug']}/"
            hrefs = [_resolve(page, a["href"]) for a in row.select(".cited a")]
            assert (expected, cited["anchor"]) in hrefs
        rejection = row.find("a", class_="rejection-link")
        assert (rejection is not None) == (item["decision"] == "rejected")


def test_each_rejected_item_has_a_page_with_its_reasons_in_full(site):
    policy_pages: dict[str, BeautifulSoup] = {}
    pages = 0
    for notice in site.notices:
        notice_page = _url(notice)
        notice_soup = _soup(site.output, notice_page)
        segments = item_segments(i["project_code"] for i in notice["public_items"])
        for item, segment in zip(notice["public_items"], segments, strict=True):
            if item["decision"] != "rejected":
                continue
            page = f"{notice_page}{segment}/"
            assert notice_soup.find("a", href=re.compile(f"{segment}/$")) is not None
            soup = _soup(site.output, page)
            text = _text(soup)
            pages += 1
            assert item["project_code"] in text and item["project_name"] in text
            assert _text(BeautifulSoup(item["explanation"], "html.parser")) in text
            assert f"{date_zh(notice['window']['start_date'])}至" in text
            assert notice["window"]["label"] in text
            back = soup.select_one(".back-link a")
            assert _resolve(page, back["href"])[0] == notice_page
            quotes = soup.select("blockquote.clause-quote")
            assert len(quotes) == len(item["reasons"]) >= 1
            for reason, quote in zip(item["reasons"], quotes, strict=True):
                assert reason["code"] in text and reason["label"] in text
                assert reason["clause_ref"] in text
                assert _text(quote) == _text(BeautifulSoup(reason["clause_text"], "html.parser"))
                target, anchor = _resolve(page, quote["cite"])
                assert anchor == reason["anchor"]
                assert target == f"policies/{reason['policy']['slug']}/"
                links = [_resolve(page, a["href"]) for a in soup.select(".reason-ref a")]
                assert (target, anchor) in links
                if target not in policy_pages:
                    policy_pages[target] = _soup(site.output, target)
                assert policy_pages[target].find(id=anchor) is not None, (target, anchor)
    assert pages == len(site.notices)  # the demo has one rejected item per notice


def test_withdrawn_and_corrected_banners(site):
    withdrawn = _by_state(site, "withdrawn")[0]
    banner = _soup(site.output, _url(withdrawn)).select_one(".banner-withdrawn")
    assert "撤回" in banner.get_text()
    assert withdrawn["withdrawal"]["reason"] in banner.get_text()

    original = _by_state(site, "corrected")[0]
    banner = _soup(site.output, _url(original)).select_one(".banner-corrected")
    [summary] = original["corrected_by_summary"]
    correction_url = notice_url(summary["slug"], summary["id"])
    assert [_resolve(_url(original), a["href"])[0] for a in banner.find_all("a")] == [
        correction_url
    ]

    banner = _soup(site.output, correction_url).select_one(".banner-correction")
    assert _resolve(correction_url, banner.find("a")["href"])[0] == _url(original)
    correction = next(n for n in site.notices if n["id"] == summary["id"])
    assert correction["correction_note"] in banner.get_text()


def test_a_notice_withdrawn_inside_its_window_says_withdrawn_never_closed(site):
    [withdrawn] = _by_state(site, "withdrawn")
    page = _url(withdrawn)
    section = _soup(site.output, page).find(id="objection")
    assert section.find(id="objection-h").get_text() == "本公告已撤回"
    assert f"本公告已于{date_zh(withdrawn['withdrawal']['withdrawn_at'])}撤回" in _text(section)
    assert "已结束" not in _text(section)
    items = withdrawn["public_items"]
    segments = item_segments(i["project_code"] for i in items)
    for item, segment in zip(items, segments, strict=True):
        if item["decision"] == "rejected":
            hint = _soup(site.output, f"{page}{segment}/").select_one(".objection-hint")
            assert "撤回，不再受理异议" in hint.get_text() and "已结束" not in hint.get_text()


def test_a_corrected_notice_says_so_from_the_first_day_of_its_correction(site):
    """The demo's original is corrected inside its own window, on the correction's first day:
    its page and its rejection pages say 已更正 and link to the correction, never 公示已结束."""
    [original] = _by_state(site, "corrected")
    [summary] = original["corrected_by_summary"]
    correction = next(n for n in site.notices if n["id"] == summary["id"])
    assert date_zh(correction["window"]["start_date"]) == date_zh(
        correction["window"]["computed_at"]
    )
    assert original["window"]["phase"] == "open"  # its own window has not ended
    correction_url = notice_url(summary["slug"], summary["id"])

    page = _url(original)
    soup = _soup(site.output, page)
    assert soup.select_one(".state-badge").get_text(strip=True) == "已更正"
    section = soup.find(id="objection")
    assert section.find(id="objection-h").get_text() == "本公告已更正"
    assert "已结束" not in _text(section) and "已结束" not in _text(soup.find("main"))
    assert [_resolve(page, a["href"])[0] for a in section.find_all("a")] == [correction_url]
    assert correction["title"] in section.get_text()

    items = original["public_items"]
    segments = item_segments(i["project_code"] for i in items)
    rejections = [
        f"{page}{segment}/"
        for item, segment in zip(items, segments, strict=True)
        if item["decision"] == "rejected"
    ]
    assert rejections
    for rejection in rejections:
        hint = _soup(site.output, rejection).select_one(".objection-hint")
        assert "已更正" in hint.get_text() and "已结束" not in hint.get_text()
        assert [_resolve(rejection, a["href"])[0] for a in hint.find_all("a")] == [correction_url]


# --- the objection form -----------------------------------------------------------------------


def _labelled(soup: BeautifulSoup, control) -> str:
    label = soup.find("label", attrs={"for": control["id"]})
    assert label is not None, control
    return label.get_text(strip=True)


def test_the_objection_form_is_on_notices_under_publicity_only(site):
    for notice in site.notices:
        soup = _soup(site.output, _url(notice))
        form = soup.find("form", id="objection-form")
        scripts = [_resolve(_url(notice), s["src"])[0] for s in soup.find_all("script", src=True)]
        if notice["window"]["state"] != "under_publicity":
            assert form is None and not soup.select("form") and scripts == [A11Y_SCRIPT]
            closed = CLOSED_HEADINGS.get(notice["window"]["state"], "公示已结束")
            assert closed in soup.find(id="objection").get_text()
            continue
        assert form["action"] == f"{CMS_PUBLIC_URL}/api/objections/"
        assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
        assert scripts == [A11Y_SCRIPT, "theme/js/objection.js"]
        options = [
            o["value"] for o in form.find("select", attrs={"name": "item"}).find_all("option")
        ]
        assert options == [""] + [str(item["id"]) for item in notice["public_items"]]
        # The closing time, in absolute terms, beside the form; the server has the last word.
        deadline = soup.select_one("#objection .deadline")
        closes = deadline.find("time")
        assert closes["datetime"] == notice["window"]["closes_at"]
        assert closes.get_text() == f"{date_zh(notice['window']['end_date'])}24时（北京时间）"
        assert "服务器将不予受理" in deadline.get_text()


def test_the_objection_form_is_labelled_and_its_limits_are_the_apis(site, settings):
    notice = _by_state(site, "under_publicity")[0]
    page = _url(notice)
    soup = _soup(site.output, page)
    form = soup.find("form", id="objection-form")
    names = {c["name"] for c in form.find_all(["input", "select", "textarea"])}
    assert names == {
        "item", "objector_type", "organisation", "real_name", "phone", "email",
        "postal_address", "content", "evidence", "consent", "website",
    }  # fmt: skip
    for control in form.find_all(["input", "select", "textarea"]):
        if control.get("type") == "radio":
            continue
        assert _labelled(soup, control), control
    autocomplete = {c["name"]: c.get("autocomplete") for c in form.find_all("input")}
    assert autocomplete["real_name"] == "name" and autocomplete["phone"] == "tel"
    assert autocomplete["email"] == "email" and autocomplete["postal_address"] == "street-address"
    # Objector type: radios in a fieldset with a legend.
    radios = form.find_all("input", attrs={"name": "objector_type"})
    assert [r["value"] for r in radios] == ["individual", "organisation"]
    fieldset = radios[0].find_parent("fieldset")
    assert fieldset.legend.get_text(strip=True).startswith("异议人类型")
    # Required fields are marked, and the mark is explained in text.
    assert "标有*号的为必填项" in _text(soup.find(id="objection"))
    for name in ("item", "real_name", "phone", "email", "postal_address", "content", "consent"):
        control = form.find(attrs={"name": name})
        assert control.has_attr("required"), name
        assert control.find_parent(attrs={"data-field": name}).select_one(".required-mark")
    assert not form.find(attrs={"name": "organisation"}).has_attr("required")
    # Hints are tied to their controls.
    for control in form.find_all(attrs={"aria-describedby": True}):
        for hint in control["aria-describedby"].split():
            assert soup.find(id=hint) is not None, hint
    # Limits: what the API enforces, exported at build time, not numbers typed into the theme.
    content = form.find("textarea", attrs={"name": "content"})
    assert content["minlength"] == "20"
    assert content["maxlength"] == str(settings.OBJECTION_MAX_CONTENT_CHARS)
    assert form["data-max-files"] == str(settings.OBJECTION_MAX_FILES)
    assert form["data-max-file-bytes"] == str(settings.OBJECTION_MAX_FILE_BYTES)
    evidence = form.find("input", attrs={"name": "evidence"})
    assert evidence["type"] == "file" and evidence.has_attr("multiple")
    assert evidence["accept"] == ".pdf,.jpg,.jpeg,.png,.ofd"
    megabytes = settings.OBJECTION_MAX_FILE_BYTES // (1024 * 1024)
    hint = soup.find(id=evidence["aria-describedby"]).get_text()
    assert f"最多{settings.OBJECTION_MAX_FILES}个文件" in hint and f"{megabytes}MB" in hint
    # Consent links to the privacy notice.
    consent = form.find("input", attrs={"name": "consent"})
    assert consent["type"] == "checkbox"
    privacy = soup.find("label", attrs={"for": consent["id"]}).find("a")
    assert _resolve(page, privacy["href"])[0] == "privacy/"
    # The honeypot: off-screen, hidden from assistive technology, out of the tab order.
    website = form.find("input", attrs={"name": "website"})
    wrapper = website.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "hp-field" in wrapper["class"]
    assert website["tabindex"] == "-1" and website["autocomplete"] == "off"
    assert website.get("value", "") == ""
    assert _labelled(soup, website) == "请勿填写"
    css = (site.output / "theme" / "css" / "site.css").read_text()
    assert re.search(r"\.hp-field\s*\{[^}]*left:\s*-10000px", css)
    # Live regions for the script's answers; links to how objections work and the lookup.
    assert soup.find(id=form["data-outcome"])["aria-live"] == "polite"
    assert soup.find(id=form["data-errors"])["role"] == "alert"
    links = {_resolve(page, a["href"])[0] for a in soup.select("#objection a")}
    assert {"objections/", "objections/status/", "privacy/"} <= links


def test_rejection_pages_link_to_the_form_while_under_publicity(site):
    for notice in site.notices:
        segments = item_segments(i["project_code"] for i in notice["public_items"])
        for item, segment in zip(notice["public_items"], segments, strict=True):
            if item["decision"] != "rejected":
                continue
            page = f"{_url(notice)}{segment}/"
            link = _soup(site.output, page).select_one("a.objection-link")
            if notice["window"]["state"] != "under_publicity":
                assert link is None
                continue
            assert _resolve(page, link["href"]) == (_url(notice), "objection")
            assert f"?item={item['id']}#" in link["href"]


def test_objection_guide_and_lookup_pages(site, settings):
    for page in ("", "notices/", "objections/"):
        footer = _soup(site.output, page).find("footer")
        links = [_resolve(page, a["href"])[0] for a in footer.find_all("a")]
        assert "objections/" in links and "objections/status/" in links
    guide = _text(_soup(site.output, "objections/"))
    for words in ("任何单位和个人", "实名", "公示期", "以服务器收到的时间为准", "调查处理意见",
                  "电子邮件", "隐私声明", "受理编号", "查询码", "PDF、JPEG、PNG、OFD"):  # fmt: skip
        assert words in guide, words
    assert f"最多{settings.OBJECTION_MAX_FILES}个" in guide

    soup = _soup(site.output, "objections/status/")
    form = soup.find("form", id="lookup-form")
    assert form["action"] == f"{CMS_PUBLIC_URL}/api/objections/status/"
    assert form["method"] == "post" and not form.get("enctype")
    controls = form.find_all("input")
    assert [c["name"] for c in controls] == ["receipt_number", "lookup_code"]
    assert [_labelled(soup, c).rstrip("*") for c in controls] == ["受理编号", "查询码"]
    assert all(c.has_attr("required") for c in controls)
    assert soup.find(id=form["data-outcome"])["aria-live"] == "polite"
    assert [s["src"] for s in soup.find_all("script", src=True)] == [
        f"../../{A11Y_SCRIPT}",
        "../../theme/js/objection.js",
    ]


def test_the_script_knows_no_limit_of_its_own(settings):
    script = (ROOT / "themes" / "publicity" / "static" / "js" / "objection.js").read_text()
    for number in (settings.OBJECTION_MAX_FILE_BYTES, settings.OBJECTION_MAX_CONTENT_CHARS, 1024):
        assert str(number) not in script
    assert "dataset.maxFiles" in script and "dataset.maxFileBytes" in script
    assert not re.search(r"https?://", script)  # no other host: it posts to the form's action
    node = shutil.which("node")
    if node:  # a syntax check where Node.js is installed
        command = [node, "--check", str(ROOT / "themes/publicity/static/js/objection.js")]
        checked = subprocess.run(command, capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr


# --- the whole site ---------------------------------------------------------------------------


def test_no_expert_panel_data_anywhere(site):
    files = [p for p in site.output.rglob("*") if p.is_file()]
    files += [p for p in site.generated.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    for path in files:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # the search index (Pagefind's files are gzipped)
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace").replace("\u200b", "")  # word breaks
        for word in PANEL_WORDS:
            assert word not in text, (path, word)


def test_every_page_is_chinese_and_links_to_no_other_host(site):
    """That every internal link resolves is test_links.py's."""
    for html in site.output.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text
        page = html.parent.relative_to(site.output).as_posix()
        page = "" if page == "." else page + "/"
        soup = BeautifulSoup(text, "html.parser")
        # Scripts: only the site's own files, deferred, never inline (JSON-LD and the
        # self-check's embedded clause data are data, not code).
        for script in soup.find_all("script"):
            if script.get("type") in ("application/ld+json", "application/json"):
                continue
            assert script.get("src") and script.has_attr("defer"), (page, script)
            assert not script.get_text(strip=True), page
        # Forms post to the CMS's public APIs (objections, comments on a draft policy, e-mail
        # alerts), the one other host a page may name (a navigation).
        names = ("objections", "policy-comments", "alerts")
        apis = tuple(f"{CMS_PUBLIC_URL}/api/{name}/" for name in names)
        for form in soup.find_all("form"):
            if form.has_attr("data-selfcheck"):  # answered in the page, never sent anywhere
                assert not form.get("action"), page
                continue
            assert form["method"] == "post", page
            assert form["action"].startswith(apis), page
        for element in soup.find_all(href=True) + soup.find_all(src=True):
            url = element.get("href") or element.get("src")
            if url.startswith(("mailto:", "tel:")):
                continue
            if RECORD_SITES.match(url) and element.find_parent(class_="site-identity"):
                continue  # a navigation to the identifier's public record
            assert not re.match(r"^(?:[a-z]+:|//)", url), (page, url)


def test_the_site_has_a_favicon_at_its_root_and_every_page_links_its_icon(site):
    """Browsers ask for /favicon.ico whatever a page says: it is there, an icon file; every page
    links the theme's SVG icon, which is there too."""
    icon = (site.output / "favicon.ico").read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00" and len(icon) < 16 * 1024  # an ICO, and small
    svg = (site.output / "theme" / "favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    pages = list(site.output.rglob("*.html"))
    assert len(pages) > 20
    for html in pages:
        page = html.parent.relative_to(site.output).as_posix()
        page = "" if page == "." else page + "/"
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        [link] = soup.head.find_all("link", rel="icon")
        assert link["type"] == "image/svg+xml", page
        assert _resolve(page, link["href"])[0] == "theme/favicon.svg", page
    # The paged build (a second site made the same way) has them too.
    assert (site.paged / "favicon.ico").read_bytes() == icon
