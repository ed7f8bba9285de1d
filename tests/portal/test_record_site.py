"""The public record on the demo portal built from a live CMS (conftest's ``site``): its files,
its pages, and ``python -m portal verify-record`` on the build as it is and tampered with."""

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from portal import record
from portal.__main__ import main
from portal.client import CMSClient
from portal.export import export_site
from portal.urls import notice_url
from portal.verify import Mismatch, reader, verify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]


def _entries(output: Path) -> list[dict]:
    return [json.loads(line) for line in (output / record.RECORD_JSONL).read_text().splitlines()]


def _document(output: Path) -> dict:
    return json.loads((output / "data" / "decisions.json").read_text(encoding="utf-8"))


def _soup(output: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((output / page / "index.html").read_text(encoding="utf-8"), "html.parser")


def _url(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _copy(site, tmp_path: Path) -> Path:
    """The record and open data of the demo build, to tamper with."""
    copy = tmp_path / "copy"
    for directory in ("record", "data"):
        shutil.copytree(site.output / directory, copy / directory)
    return copy


def _fails(where: Path, *words: str) -> None:
    with pytest.raises(Mismatch) as raised:
        verify(reader(str(where)))
    message = f"{raised.value.zh} {raised.value.en}"
    assert all(word in message for word in words), message


def test_the_demo_build_verifies(site, capsys):
    assert main(["verify-record", str(site.output)]) == 0
    out = capsys.readouterr().out
    entries = _entries(site.output)
    assert f"entries: {len(entries)}" in out and f"notices: {len(site.notices)}" in out
    assert "未签名" in out
    head = json.loads((site.output / record.HEAD_JSON).read_bytes())
    assert head == {"sequence": len(entries), "hash": entries[-1]["hash"]}
    assert not (site.output / record.HEAD_SIG).exists()


def test_decisions_json_carries_each_notices_data_as_the_api_gave_it(site):
    notices = _document(site.output)["notices"]
    expected = sorted((n["record_data"] for n in site.notices), key=lambda d: d["notice_number"])
    assert notices == expected and len(notices) == len(site.notices) >= 5
    text = json.dumps(notices, ensure_ascii=False)
    assert "panel" not in text and "objector" not in text


def test_the_signed_demo_build_verifies_with_its_key(site, tmp_path, capsys):
    assert verify(reader(str(site.paged))).signature == record.PUBLIC_KEY
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(record.public_key_pem(site.signing_key))
    assert main(["verify-record", str(site.paged), "--public-key", str(key_file)]) == 0
    assert "签名有效" in capsys.readouterr().out
    page = _soup(site.paged, "record")
    links = {a["href"].split("/")[-1] for a in page.select("main a[href]")}
    assert {"record.jsonl", "head.json", "head.json.sig", "public-key.pem"} <= links
    assert record.sha256_hex((site.paged / record.PUBLIC_KEY).read_bytes()) in page.get_text()
    assert "head.json.sig" not in _soup(site.output, "record").get_text()


def test_a_changed_past_entry_fails_naming_it(site, tmp_path):
    copy = _copy(site, tmp_path)
    entries = _entries(copy)
    entries[1]["event"] = "withdrawn"
    (copy / record.RECORD_JSONL).write_bytes(record.jsonl(entries))
    _fails(copy, "序号 2 的条目", "entry 2: hash does not match")


def test_a_dropped_entry_fails(site, tmp_path):
    copy = _copy(site, tmp_path)
    entries = _entries(copy)
    (copy / record.RECORD_JSONL).write_bytes(record.jsonl(entries[:2] + entries[3:]))
    _fails(copy, "entry 4: sequence should be 3")


def test_changed_published_data_fails_naming_the_notice(site, tmp_path):
    copy = _copy(site, tmp_path)
    document = _document(copy)
    notice = document["notices"][0]
    notice["items"][0]["project_name"] += "（改）"
    (copy / "data" / "decisions.json").write_text(json.dumps(document, ensure_ascii=False))
    _fails(copy, f"公告 {notice['notice_number']}", "its data hashes to")

    copy = _copy(site, tmp_path / "row")
    document = _document(copy)
    row = document["decisions"][0]
    row["undertaking_unit"] += "（改）"
    (copy / "data" / "decisions.json").write_text(json.dumps(document, ensure_ascii=False))
    _fails(copy, f"公告 {row['notice_number']}", "undertaking_unit")


def test_each_notice_has_a_record_page_with_its_events(site):
    entries = _entries(site.output)
    labels = set()
    for notice in site.notices:
        page = f"{_url(notice)}record/"
        soup = _soup(site.output, page)
        assert soup.find("html")["lang"] == "zh-CN"
        assert soup.find("h1").get_text(strip=True) == "公示记录"
        own = [e for e in entries if e["subject"] == notice["notice_number"]]
        assert own, notice["notice_number"]
        rows = soup.select("table.record-entries tbody tr")
        assert len(rows) == len(own)
        for tr, entry in zip(rows, own, strict=True):
            assert tr.th.get_text(strip=True) == str(entry["sequence"])
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            assert cells[1] == record.EVENTS[entry["event"]]
            assert cells[2:] == [entry["data_sha256"], entry["hash"]]
            assert tr.find("time")["datetime"] == entry["recorded_at"]
            assert cells[0].endswith("（北京时间）")
            labels.add(cells[1])
        # The notice's page links to it.
        notice_page = _soup(site.output, _url(notice))
        hrefs = [a["href"] for a in notice_page.select("main a[href]")]
        assert any(h.endswith(f"{_url(notice)}record/") for h in hrefs), notice["notice_number"]
    assert {"发布", "撤回", "已更正", "确认认定结果"} <= labels


def test_the_record_page_explains_the_hashes_and_how_to_verify(site):
    soup = _soup(site.output, "record")
    text = soup.get_text()
    for words in ("公示记录", "sha256sum", "python -m portal verify-record", "previous_hash",
                  "ensure_ascii=False", "In English"):  # fmt: skip
        assert words in text, words
    hrefs = [a["href"] for a in soup.select("main a[href]")]
    assert "../record/record.jsonl" in hrefs and "../record/head.json" in hrefs
    footer = _soup(site.output, "")
    assert any(
        a["href"].endswith("record/") and a.get_text() == "公示记录"
        for a in footer.select(".footer-links a")
    )
    data_page = _soup(site.output, "data")
    fields = [th.get_text(strip=True) for th in data_page.select("table.notice-fields tbody th")]
    assert fields[0] == "notice_number" and "items" in fields


def test_a_kept_record_that_does_not_join_the_cms_is_fetched_again(live_server, tmp_path):
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    export_site(CMSClient(live_server.url), content)
    kept = (content / record.CACHE_FILE).read_bytes()
    entries = [json.loads(line) for line in kept.splitlines()]
    assert len(entries) > 5
    # A chain of its own (another CMS's, say), as long as the CMS's: it does not join.
    other, previous = [], record.ZERO_HASH
    for entry in entries:
        entry = {**entry, "subject": "别处", "previous_hash": previous}
        entry["hash"] = previous = record.entry_hash(entry)
        other.append(entry)
    (content / record.CACHE_FILE).write_bytes(record.jsonl(other))
    export_site(CMSClient(live_server.url), content)
    assert (content / record.CACHE_FILE).read_bytes() == kept
