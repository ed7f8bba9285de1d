"""The notice exporter on made-up API answers: no CMS, no database.

Covers what the demo notices do not: hostile text, odd project codes and slugs, fields the API
might add, a cited policy that is not live, and one Pelican build of all that.
"""

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portal import listings
from portal.build import SITE_DIR, THEME_DIR
from portal.dates import date_zh
from portal.export import write_sources
from portal.listings import notice_collection_sources
from portal.notices import NoticeDataError
from portal.render import run_pelican_command
from portal.sources import source_bytes
from portal.urls import item_segments, notice_segment, url_segment

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _cited(code="X3", anchor="s2-3-3", policy=True):
    return {
        "code": code,
        "label": "存在违规行为或科研失信行为",
        "label_en": "Misconduct or research dishonesty",
        "clause_ref": "二（三）3",
        "anchor": anchor,
        "clause_text": "发生违规行为的；",
        "policy": {"id": 5, "title": "实施意见", "slug": "exemption-policy"} if policy else None,
    }


def _item(code="P-1", decision="rejected", **extra):
    rejected = decision == "rejected"
    return {
        "id": abs(hash(code)) % 10_000,
        "project_code": code,
        "project_name": "项目",
        "programme": "key_rd",
        "programme_label": "省重点研发计划",
        "undertaking_unit": "单位",
        "project_leader": "张三",
        "decision": decision,
        "decision_label": "不予认定" if rejected else "予以免责",
        "grounds": [] if rejected else [_cited("A1", "s2-2-1")],
        "reasons": [_cited()] if rejected else [],
        "explanation": "说明" if rejected else "",
        **extra,
    }


def _page(page_id=1, slug="n-1", state="under_publicity", items=None, **extra):
    return {
        "id": page_id,
        "meta": {"slug": slug, "first_published_at": "2026-03-03T00:00:00+08:00"},
        "title": f"公告{page_id}",
        "notice_number": f"N-{page_id}",
        "introduction": "第一段\n\n第二段",
        "window": {
            "start_date": "2026-03-03",
            "end_date": "2026-03-09",
            "opens_at": "2026-03-03T00:00:00+08:00",
            "closes_at": "2026-03-10T00:00:00+08:00",
            "days": 7,
            "phase": "open",
            "days_left": 3,
            "label": "公示期：2026年3月3日至2026年3月9日（7天），至2026年3月9日24时结束。",
            "label_en": "…",
            "state": state,
            "state_label": {"under_publicity": "公示中", "closed": "公示结束"}.get(state, state),
            "computed_at": "2026-03-07T01:00:00+00:00",
        },
        "handling_body": {"code": "department", "label": "省科学技术厅", "label_en": "…"},
        "objection_contact": {
            "office": "处",
            "phone": "0571-1",
            "email": "a@b.invalid",
            "address": "杭州",
        },
        "public_items": items if items is not None else [_item()],
        "corrects_summary": None,
        "correction_note": "",
        "corrected_by_summary": [],
        "withdrawal": None,
        "finalised_on": None,
        "record_data": _record_data(page_id, state, items if items is not None else [_item()]),
        **extra,
    }


def _record_data(page_id: int, state: str, items: list[dict]) -> dict:
    keys = ("project_code", "project_name", "programme", "undertaking_unit", "project_leader",
            "decision", "explanation")  # fmt: skip
    return {
        "notice_number": f"N-{page_id}", "title": f"公告{page_id}", "window_start": "2026-03-03",
        "window_end": "2026-03-09", "state": state, "corrects": None, "correction_note": "",
        "withdrawal_reason": None, "finalised_on": None,
        "items": [
            {"item_id": item["id"], **{key: item[key] for key in keys},
             "ground_codes": [c["code"] for c in item["grounds"]],
             "reason_codes": [c["code"] for c in item["reasons"]]}
            for item in items
        ],
    }  # fmt: skip


def test_url_segments_are_safe_and_unique():
    assert url_segment("DEMO-C-03") == "demo-c-03"
    assert url_segment("2024/C/01") == "2024-c-01"
    assert url_segment("../../etc") == "etc"
    assert url_segment("浙科-001") == "001"
    assert url_segment("浙科") == ""
    assert item_segments(["A/1", "a-1", "浙科", "", "A 1"]) == [
        "a-1", "a-1-2", "item-3", "item-4", "a-1-3",
    ]  # fmt: skip


def test_notice_segments_keep_safe_slugs_and_avoid_the_listing_paths():
    assert notice_segment("demo-2026-01", 7) == "demo-2026-01"
    assert notice_segment("page", 7) == "page-7"
    assert notice_segment("closed", 8) == "closed-8"
    assert notice_segment("公示一", 9) == "notice-9"
    assert notice_segment("公示-2026", 9) == "2026-9"


def test_dates_are_absolute_and_in_beijing_time():
    assert date_zh("2026-03-09") == "2026年3月9日"
    assert date_zh("2026-03-09T16:30:00+00:00") == "2026年3月10日"
    assert date_zh(None) == ""


def test_only_public_fields_are_exported(objection_form):
    """Whatever else the API might one day send is not copied into the portal's sources."""
    leaky = _item(panel_size=7, technical_members=5, financial_members=2, objector="李四")
    page = _page(items=[leaky], panel_size=7, objections=[{"name": "李四"}])
    sources, _ = notice_collection_sources([page], None, objection_form=objection_form)
    dumped = json.dumps(sources, ensure_ascii=False)
    for word in ("panel_size", "technical_members", "financial_members", '"objector"', "李四"):
        assert word not in dumped


def test_public_data_with_a_field_beyond_the_contract_is_refused(objection_form):
    """The notice's public data is published whole (its hash is in the record): a field it must
    not carry stops the export rather than reach the open data."""
    page = _page()
    page["record_data"]["items"][0]["panel_size"] = 7
    with pytest.raises(NoticeDataError, match="panel_size"):
        notice_collection_sources([page], None, objection_form=objection_form)
    page = _page()
    page["record_data"]["objector"] = "李四"
    with pytest.raises(NoticeDataError, match="objector"):
        notice_collection_sources([page], None, objection_form=objection_form)


def test_two_notices_at_one_address_are_refused(objection_form):
    with pytest.raises(NoticeDataError, match="same address"):
        notice_collection_sources(
            [_page(1, "a"), _page(2, "a")], None, objection_form=objection_form
        )


def test_listings_are_split_by_the_state_the_api_reported(monkeypatch, objection_form):
    monkeypatch.setattr(listings, "LISTING_PAGE_SIZE", 2)
    pages = [_page(i, f"n-{i}") for i in range(1, 6)] + [_page(9, "shut", state="closed")]
    sources, under_publicity = notice_collection_sources(pages, None, objection_form=objection_form)
    assert [n["id"] for n in under_publicity] == [5, 4, 3, 2, 1]
    listing = {k: v for k, v in sources.items() if k.startswith("listings/listing-open")}
    pages = {s["metadata"]["url"]: s["cms"] for s in listing.values()}
    assert sorted(pages) == ["notices/", "notices/page/1/", "notices/page/2/"]

    def ids(url):
        return [
            int(e["url"].split("-")[1].rstrip("/")) for e in pages[url]["sections"][0]["entries"]
        ]

    # The newest on the listing itself; the archive counted from the oldest.
    assert (ids("notices/"), ids("notices/page/2/"), ids("notices/page/1/")) == (
        [5, 4],
        [4, 3],
        [2, 1],
    )
    assert pages["notices/page/1/"]["pagination"] == {
        "current": "存档第 1 页（第 1 页最早）", "newer_url": "notices/page/2/",
        "newer_label": "存档第 2 页", "older_url": "", "older_label": "",
    }  # fmt: skip
    assert pages["notices/"]["pagination"]["older_url"] == "notices/page/2/"
    assert pages["notices/page/2/"]["pagination"]["newer_url"] == "notices/"
    closed = sources["listings/listing-closed.json"]["cms"]
    assert [e["url"] for s in closed["sections"] for e in s["entries"]] == ["notices/shut/"]
    results = sources["listings/listing-results.json"]["cms"]
    assert results["sections"][0]["entries"] == []


def test_archive_pages_keep_their_notices_as_newer_ones_come(monkeypatch, objection_form):
    """A full archive page is the same source (so the same file) after more notices arrive."""
    monkeypatch.setattr(listings, "LISTING_PAGE_SIZE", 3)

    def archive(count: int) -> dict[str, dict]:
        pages = [_page(i, f"n-{i}") for i in range(1, count + 1)]
        sources, _ = notice_collection_sources(pages, None, objection_form=objection_form)
        return {k: v for k, v in sources.items() if k.startswith("listings/listing-open-page-")}

    before, after = archive(10), archive(14)
    assert sorted(before) == [f"listings/listing-open-page-{n}.json" for n in (1, 2, 3)]
    assert sorted(after) == [f"listings/listing-open-page-{n}.json" for n in (1, 2, 3, 4)]
    for name in before:  # every full page of the ten is a full page of the fourteen
        assert after[name]["cms"]["sections"] == before[name]["cms"]["sections"]
    # Whole sources, byte for byte: only the newest archive page (its "newer" link) changes.
    newest = "listings/listing-open-page-3.json"
    for name in sorted(set(before) - {newest}):
        assert source_bytes(after[name]) == source_bytes(before[name]), name
    assert after[newest]["cms"]["pagination"]["newer_url"] == "notices/page/4/"
    # Every notice is listed somewhere.
    listed = {
        e["url"] for s in after.values() for sec in s["cms"]["sections"] for e in sec["entries"]
    }
    assert listed == {f"notices/n-{i}/" for i in range(1, 13)}  # 13 and 14: the listing itself


def test_hostile_text_and_odd_codes_build_into_safe_pages(tmp_path, objection_form):
    items = [
        _item("2024/C/01", reasons=[_cited(), _cited("out_of_scope", "s2-1", policy=False)]),
        _item("2024-c-01", project_name=HOSTILE, explanation=HOSTILE),
        _item("OK-1", decision="exempted"),
    ]
    page = _page(3, "公示", title=HOSTILE, items=items, handling_body=None)
    page["corrected_by_summary"] = [{"id": 99, "title": "不在站上的更正", "slug": "x",
                                     "notice_number": "N-99"}]  # fmt: skip
    sources, _ = notice_collection_sources([page], None, objection_form=objection_form)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    write_sources(sources, content)
    output = tmp_path / "out"
    run_pelican_command(SITE_DIR / "pelicanconf.py", THEME_DIR, ROOT)(content, output)

    notice_dir = output / "notices" / "notice-3"
    html = (notice_dir / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".banner-corrected").find("a") is None  # not live: named, not linked
    assert "不在站上的更正" in soup.select_one(".banner-corrected").get_text()
    links = [a["href"] for a in soup.select("a.rejection-link")]
    assert links == ["../../notices/notice-3/2024-c-01/", "../../notices/notice-3/2024-c-01-2/"]
    first = BeautifulSoup(
        (notice_dir / "2024-c-01" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    quotes = first.select("blockquote.clause-quote")
    assert quotes[0]["cite"] == "../../../policies/exemption-policy/#s2-3-3"
    assert not quotes[1].has_attr("cite")  # the cited policy is not live: quoted, not linked
    second = (notice_dir / "2024-c-01-2" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in second and "&lt;script&gt;" in second


def test_a_notice_corrected_inside_its_window_says_so_not_that_its_window_ended(
    tmp_path, objection_form
):
    """The original's window runs on (days left), but its correction is live: the CMS reports
    it corrected, and its pages say 已更正 with a link to the correction from that moment."""
    original = _page(1, "original", state="corrected",
                     items=[_item("P-1", "exempted"), _item("P-2")])  # fmt: skip
    original["window"].update(state_label="已更正", phase="open", days_left=2)
    original["corrected_by_summary"] = [
        {"id": 2, "title": "更正公告", "slug": "correction", "notice_number": "N-2"}
    ]
    correction = _page(2, "correction", items=[_item("P-2")])
    correction["corrects_summary"] = {"id": 1, "title": "公告1", "slug": "original",
                                      "notice_number": "N-1"}  # fmt: skip
    sources, _ = notice_collection_sources(
        [original, correction], None, objection_form=objection_form
    )
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    write_sources(sources, content)
    output = tmp_path / "out"
    run_pelican_command(SITE_DIR / "pelicanconf.py", THEME_DIR, ROOT)(content, output)

    page = output / "notices" / "original"
    soup = BeautifulSoup((page / "index.html").read_text(encoding="utf-8"), "html.parser")
    section = soup.find(id="objection")
    assert section.find(id="objection-h").get_text() == "本公告已更正"
    assert "已结束" not in section.get_text() and soup.find("form") is None
    assert [a["href"] for a in section.find_all("a")] == ["../../notices/correction/"]
    assert "更正公告（N-2）" in section.get_text()
    rejection = BeautifulSoup((page / "p-2" / "index.html").read_text(encoding="utf-8"),
                              "html.parser")  # fmt: skip
    hint = rejection.select_one(".objection-hint")
    assert "本公告已更正" in hint.get_text() and "已结束" not in hint.get_text()
    assert [a["href"] for a in hint.find_all("a")] == ["../../../notices/correction/"]
