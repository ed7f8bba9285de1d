"""Open data, the calendar, sitemap and robots.txt, JSON-LD and the build time, on the demo site
built from a live CMS (conftest's ``site``, shared with test_notices.py), and on made-up data."""

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from portal import files, jsonld, opendata
from portal.build import SITE_DIR
from portal.dates import built_at_zh
from portal.opendata import COLUMN_NAMES, COLUMNS, read_pelican_settings
from portal.plugins.site_data import built_at
from portal.sitewide import Site, absolute_base
from portal.text import paragraphs
from portal.urls import item_segments, notice_url

uses_site = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PANEL_WORDS = ("panel", "technical_members", "financial_members", "专家组人数", "专家组成员")
OBJECTOR_WORDS = ("objector", "real_name", "postal_address", "phone", "email", "异议人姓名")


@pytest.fixture(scope="module")
def base_url() -> str:
    return absolute_base(read_pelican_settings(SITE_DIR / "pelicanconf.py"))


def _soup(site, page: str) -> BeautifulSoup:
    return BeautifulSoup((site.output / page / "index.html").read_text("utf-8"), "html.parser")


def _url(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _api_rows(site) -> list[tuple[dict, dict]]:
    return [(n, item) for n in site.notices for item in n["public_items"]]


# --- decisions ----------------------------------------------------------------------------------


@uses_site
def test_the_api_sends_no_panel_or_objector_data(site):
    for notice, item in _api_rows(site):
        assert not [key for key in item if key.startswith(PANEL_WORDS + OBJECTOR_WORDS)], item
        assert not [key for key in notice if key.startswith(PANEL_WORDS + OBJECTOR_WORDS)]


@uses_site
def test_decisions_json_has_one_row_per_item_in_the_documented_columns(site, base_url):
    document = json.loads((site.output / "data" / "decisions.json").read_text("utf-8"))
    rows = document["decisions"]
    expected = _api_rows(site)
    assert len(rows) == document["count"] == len(expected) >= 10
    assert [c["name"] for c in document["columns"]] == list(COLUMN_NAMES)
    assert all(tuple(row) == COLUMN_NAMES for row in rows)
    by_id = {row["item_id"]: row for row in rows}
    for notice, item in expected:
        row = by_id[item["id"]]
        assert row["notice_number"] == notice["notice_number"]
        assert row["notice_title"] == notice["title"]
        assert row["window_start"] == notice["window"]["start_date"]
        assert row["window_end"] == notice["window"]["end_date"]
        assert row["state"] == notice["window"]["state"]
        for field in ("project_code", "project_name", "undertaking_unit", "project_leader",
                      "decision", "decision_label"):  # fmt: skip
            assert row[field] == item[field], field
        assert row["programme"] == item["programme_label"]
        assert row["ground_codes"] == [c["code"] for c in item["grounds"]]
        assert row["reason_codes"] == [c["code"] for c in item["reasons"]]
        assert row["explanation"] == "\n".join(paragraphs(item["explanation"]))
        assert row["finalised_on"] == (notice["finalised_on"] or "")
        assert row["notice_url"] == base_url + _url(notice)
        assert bool(row["rejection_url"]) == (item["decision"] == "rejected")
        if row["rejection_url"]:
            page = row["rejection_url"].removeprefix(base_url)
            assert (site.output / page / "index.html").is_file()
    for code, meaning in document["codes"].items():
        assert re.match(r"^[A-Z][0-9]$|^[a-z_]+$", code) and meaning["label"]
    text = json.dumps(document, ensure_ascii=False)
    for word in PANEL_WORDS[1:]:
        assert word not in text
    for notice, _ in expected:  # the objection contact is on the page, not in the data
        assert notice["objection_contact"]["email"] not in text


@uses_site
def test_decisions_csv_opens_in_excel_and_matches_the_json(site):
    raw = (site.output / "data" / "decisions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and raw.count(b"\r\n") >= len(_api_rows(site)) + 1
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames) == COLUMN_NAMES
    rows = list(reader)
    document = json.loads((site.output / "data" / "decisions.json").read_text("utf-8"))
    assert len(rows) == len(document["decisions"])
    for row, expected in zip(rows, document["decisions"], strict=True):
        assert row["item_id"] == str(expected["item_id"])
        assert row["ground_codes"] == ";".join(expected["ground_codes"])
        assert row["reason_codes"] == ";".join(expected["reason_codes"])
        assert row["explanation"] == expected["explanation"]
    rejected = [row for row in rows if row["decision"] == "rejected"]
    assert rejected and all(row["reason_codes"] and row["explanation"] for row in rejected)
    text = raw.decode("utf-8-sig")
    for word in PANEL_WORDS[1:]:
        assert word not in text


@uses_site
def test_the_data_page_documents_every_column_in_chinese_and_english(site):
    soup = _soup(site, "data")
    table = soup.find("table", class_="columns")
    rows = table.tbody.find_all("tr")
    assert [row.th.get_text(strip=True) for row in rows] == list(COLUMN_NAMES)
    for row, (_name, zh, en, dzh, den) in zip(rows, COLUMNS, strict=True):
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        assert cells[0] == zh and cells[1] == dzh
        assert en in cells[2] and den in cells[2]
    assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    links = {(site.output / "data" / a["href"]).resolve() for a in soup.select("main a[href]")}
    for path in ("data/decisions.csv", "data/decisions.json", "data/windows.ics", "sitemap.xml"):
        assert (site.output / path).resolve() in links, path
    text = soup.get_text()
    assert "不包括专家评审信息" in text and "异议人" in text


# --- calendar -----------------------------------------------------------------------------------


@uses_site
def test_the_calendar_has_each_open_window_closing_in_shanghai_time(site, base_url):
    raw = (site.output / "data" / "windows.ics").read_bytes()
    # RFC 5545: CRLF line ends, lines folded at 75 octets, components balanced.
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    for name in (b"VCALENDAR", b"VEVENT", b"VTIMEZONE"):
        assert lines.count(b"BEGIN:" + name) == lines.count(b"END:" + name) >= 1
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert "DTSTART;TZID=Asia/Shanghai:" in unfolded and "DTEND;TZID=Asia/Shanghai:" in unfolded

    calendar = Calendar.from_ical(raw)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Shanghai"
    events = {str(event["URL"]): event for event in calendar.walk("VEVENT")}
    open_notices = [n for n in site.notices if n["window"]["state"] == "under_publicity"]
    assert len(open_notices) == 3
    assert sorted(events) == sorted(base_url + _url(n) for n in open_notices)
    for notice in open_notices:
        event = events[base_url + _url(notice)]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert end == datetime.fromisoformat(notice["window"]["closes_at"])
        assert str(end.tzinfo) == "Asia/Shanghai" and str(start.tzinfo) == "Asia/Shanghai"
        assert start.date().isoformat() == notice["window"]["end_date"] and start.hour == 0
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert notice["title"] in str(event["SUMMARY"])
        assert notice["window"]["label"] in str(event["DESCRIPTION"])
        assert str(event["UID"]).startswith(f"notice-{notice['id']}-")


# --- sitemap and robots -------------------------------------------------------------------------


@uses_site
def test_the_sitemap_lists_every_page_and_robots_points_at_it(site, base_url):
    root = ET.fromstring((site.output / "sitemap.xml").read_bytes())  # noqa: S314 - our own output
    assert root.tag == f"{SITEMAP_NS}urlset"
    entries = {
        url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod")
        for url in root.findall(f"{SITEMAP_NS}url")
    }
    pages = set()
    for html in site.output.rglob("*.html"):
        relative = html.relative_to(site.output).as_posix()
        pages.add(base_url + relative.removesuffix("index.html"))
    assert set(entries) == pages
    assert len(pages) > 20
    for notice in site.notices:
        lastmod = entries[base_url + _url(notice)]
        assert lastmod and datetime.fromisoformat(lastmod).tzinfo is not None
        segments = item_segments(i["project_code"] for i in notice["public_items"])
        for item, segment in zip(notice["public_items"], segments, strict=True):
            if item["decision"] == "rejected":
                assert entries[f"{base_url}{_url(notice)}{segment}/"] == lastmod
    robots = (site.output / "robots.txt").read_text("utf-8").splitlines()
    assert "User-agent: *" in robots and "Allow: /" in robots
    assert f"Sitemap: {base_url}sitemap.xml" in robots


def test_robots_and_sitemap_use_siteurl_when_it_is_set(tmp_path: Path):
    site = Site.from_settings({"SITEURL": "https://portal.example.org"}, [])
    assert b"Sitemap: https://portal.example.org/sitemap.xml" in opendata.robots(site)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x")
    (tmp_path / "index.html").write_text("x")
    sitemap = opendata.sitemap(site, tmp_path).decode()
    assert "<loc>https://portal.example.org/</loc>" in sitemap
    assert "<loc>https://portal.example.org/a/</loc>" in sitemap


# --- JSON-LD ------------------------------------------------------------------------------------


def _jsonld(site, page: str) -> dict:
    [script] = _soup(site, page).find_all("script", type="application/ld+json")
    return json.loads(script.string)


@uses_site
def test_notice_pages_carry_article_json_ld_with_the_window(site, base_url):
    for notice in site.notices:
        data = _jsonld(site, _url(notice))
        window = notice["window"]
        assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
        assert data["url"] == base_url + _url(notice)
        assert data["headline"] == notice["title"]
        assert data["identifier"] == notice["notice_number"]
        assert data["publisher"] == {"@type": "GovernmentOrganization", "name": "浙江省科学技术厅"}
        assert data["temporalCoverage"] == f"{window['start_date']}/{window['end_date']}"
        assert data["description"] == window["label"]
        assert data["creativeWorkStatus"] == window["state_label"]
        published = datetime.fromisoformat(data["datePublished"])
        first = datetime.fromisoformat(notice["meta"]["first_published_at"])
        assert published == first.replace(microsecond=0)
        assert datetime.fromisoformat(data["dateModified"]) >= published


@uses_site
def test_policy_pages_carry_legislation_json_ld(site, base_url):
    for policy in site.policies:
        data = _jsonld(site, f"policies/{policy['meta']['slug']}/")
        assert data["@type"] == "Legislation" and data["name"] == policy["title"]
        assert data["url"] == f"{base_url}policies/{policy['meta']['slug']}/"
        force = jsonld.LEGAL_FORCE[policy["status"]]
        assert data["legislationLegalForce"] == f"https://schema.org/{force}"
        assert data["legislationPassedBy"]["name"] == policy["issuing_body"]
        assert data.get("legislationIdentifier") == (policy["document_number"] or None)
        assert data.get("legislationDate") == policy["issue_date"]
    # The seed is a draft for comments: not in force.
    assert site.policies[0]["status"] == "draft_for_comments"
    assert _jsonld(site, "policies/exemption-policy/")["legislationLegalForce"].endswith(
        "/NotInForce"
    )
    assert _soup(site, "about").find("script", type="application/ld+json") is None


def test_policy_json_ld_from_made_up_data():
    cms = {"title": "实施意见", "document_number": "浙科发〔2026〕1号", "status": "in_force",
           "status_label": "正式", "issuing_body": "浙江省科学技术厅", "issue_date": "2026-01-05",
           "effective_date": "2026-02-01"}  # fmt: skip
    data = jsonld.policy_jsonld(cms, "policies/p/", "2026-01-05T00:00:00+08:00",
                                  "https://portal.example.org/", "浙江省科学技术厅")  # fmt: skip
    assert data["legislationIdentifier"] == "浙科发〔2026〕1号"
    assert data["legislationDate"] == "2026-01-05"
    assert data["legislationDateOfApplicability"] == "2026-02-01"
    assert data["legislationLegalForce"] == "https://schema.org/InForce"
    assert data["url"] == "https://portal.example.org/policies/p/"
    for status, force in (("trial", "InForce"), ("revised", "NotInForce"),
                          ("repealed", "NotInForce")):  # fmt: skip
        assert jsonld.LEGAL_FORCE[status] == force


def test_json_ld_cannot_end_its_script_element():
    hostile = {"name": "</script><script>alert(1)</script><!-- & -->"}
    text = str(jsonld.jsonld_dumps(hostile))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == hostile


# --- the build time -----------------------------------------------------------------------------


@uses_site
def test_every_page_states_when_it_was_built(site):
    assert site.built_at == "2026-11-25T17:15:00+08:00"  # pinned in conftest
    for html in site.output.rglob("*.html"):
        footer = BeautifulSoup(html.read_text("utf-8"), "html.parser").find("footer")
        line = footer.find(class_="built-at")
        assert " ".join(line.get_text().split()) == "本页生成于 2026年11月25日 17:15（北京时间）"
        assert line.time["datetime"] == "2026-11-25T17:15:00+08:00"
    # The notice pages keep the line saying what day their state holds for, while it can
    # change at a midnight; once the window has closed, only an action changes it.
    notice = next(n for n in site.notices if n["window"]["state"] == "under_publicity")
    line = _soup(site, _url(notice)).find(class_="generated-at").get_text()
    assert "为准" in line and "每日零时" in line
    closed = next(n for n in site.notices if n["window"]["phase"] == "closed")
    line = _soup(site, _url(closed)).find(class_="generated-at").get_text()
    assert "为准" not in line and "即时更新本页" in line


def test_the_build_time_is_the_setting_or_now_in_beijing_time(monkeypatch):
    assert built_at_zh(built_at("2026-11-25T09:15:42Z")) == "2026年11月25日 17:15（北京时间）"
    assert built_at("2026-11-25T17:15").isoformat() == "2026-11-25T17:15:00+08:00"
    monkeypatch.delenv("PORTAL_BUILT_AT", raising=False)
    now = built_at()
    assert now.utcoffset().total_seconds() == 8 * 3600
    assert abs((datetime.now(now.tzinfo) - now).total_seconds()) < 120


def test_outputs_replace_files_and_never_rewrite_a_hard_linked_one(tmp_path: Path):
    old = tmp_path / "old.xml"
    old.write_bytes(b"previous build")
    new = tmp_path / "build" / "feeds" / "notices.atom.xml"
    new.parent.mkdir(parents=True)
    os.link(old, new)
    files.replace_file(new, b"this build")
    assert old.read_bytes() == b"previous build" and new.read_bytes() == b"this build"
    assert [p.name for p in new.parent.iterdir()] == ["notices.atom.xml"]
