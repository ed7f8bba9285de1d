"""The public record on made-up data: hashing, the incremental fetch, what is published, the pages'
sources, and ``python -m portal verify-record`` on a small site made here (no CMS)."""

import base64
import copy
import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal import record, record_pages
from portal.__main__ import main
from portal.sources import UNCHANGED
from portal.urls import item_segments
from portal.verify import Mismatch, reader, verify

ZERO = "0" * 64


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sha(value) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()


def notice(number: str, state: str = "under_publicity", items=None) -> dict:
    items = items or [
        {"item_id": 1, "project_code": "P-1", "project_name": "项目甲", "programme": "key_rd",
         "undertaking_unit": "单位甲", "project_leader": "张三", "decision": "exempted",
         "ground_codes": ["A2"], "reason_codes": [], "explanation": ""},
    ]  # fmt: skip
    return {"notice_number": number, "title": f"公告{number}", "window_start": "2026-12-07",
            "window_end": "2026-12-13", "state": state, "corrects": None, "correction_note": "",
            "withdrawal_reason": None, "finalised_on": None, "items": items}  # fmt: skip


def chain(events, start: list | None = None) -> list[dict]:
    """Entries for ``events`` ((subject, event, data), …), after ``start``."""
    entries = list(start or [])
    for subject, event, data in events:
        entry = {
            "sequence": len(entries) + 1,
            "recorded_at": f"2026-12-07T00:00:{len(entries):02d}+08:00",
            "kind": "notice",
            "subject": subject,
            "event": event,
            "data_sha256": _sha(data),
            "previous_hash": entries[-1]["hash"] if entries else ZERO,
        }
        entry["hash"] = _sha(entry)
        entries.append(entry)
    return entries


def row(data: dict, item: dict) -> dict:
    return {"item_id": item["item_id"], "notice_number": data["notice_number"],
            "notice_title": data["title"], "window_start": data["window_start"],
            "window_end": data["window_end"], "state": data["state"],
            **{k: item[k] for k in ("project_code", "project_name", "undertaking_unit",
                                    "project_leader", "decision", "ground_codes",
                                    "reason_codes")}}  # fmt: skip


A, B = notice("甲-1"), notice("乙-2", items=[
    {"item_id": 7, "project_code": "P-7", "project_name": "项目乙", "programme": "key_rd",
     "undertaking_unit": "单位乙", "project_leader": "李四", "decision": "rejected",
     "ground_codes": [], "reason_codes": ["X1"], "explanation": "理由。"}])  # fmt: skip
A_CLOSED = {**A, "state": "closed"}
EVENTS = [("甲-1", "published", A), ("乙-2", "published", B), ("甲-1", "window_closed", A_CLOSED)]


def write_site(directory: Path, entries: list[dict], notices: list[dict], key=None) -> Path:
    """A site as the build writes it: the record's files and data/decisions.json."""
    cache = directory / "content"
    cache.mkdir(parents=True)
    (cache / record.CACHE_FILE).write_bytes(record.jsonl(entries))
    site = directory / "site"
    for path, data in record.site_files(cache) if key is None else _signed(cache, key):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)
    rows = [row(data, item) for data in notices for item in data["items"]]
    document = {"decisions": rows, "notices": notices}
    (site / "data").mkdir()
    (site / "data" / "decisions.json").write_text(json.dumps(document, ensure_ascii=False))
    return site


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip


def _signed(cache: Path, key: Ed25519PrivateKey):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(record.SIGNING_KEY_VARIABLE, _pem(key))
        return record.site_files(cache)


@pytest.fixture
def small_site(tmp_path) -> Path:
    return write_site(tmp_path, chain(EVENTS), [A_CLOSED, B])


def _fails(site: Path, *words: str, public_key: Path | None = None) -> Mismatch:
    with pytest.raises(Mismatch) as raised:
        verify(reader(str(site)), public_key)
    for word in words:
        assert word in f"{raised.value.zh} {raised.value.en}", (word, raised.value.en)
    return raised.value


def _lines(site: Path) -> list[dict]:
    return [json.loads(line) for line in (site / record.RECORD_JSONL).read_text().splitlines()]


def _rewrite(site: Path, entries: list[dict]) -> None:
    (site / record.RECORD_JSONL).write_bytes(b"".join(_canonical(e) + b"\n" for e in entries))


def _decisions(site: Path) -> dict:
    return json.loads((site / "data" / "decisions.json").read_text())


def _save_decisions(site: Path, document: dict) -> None:
    (site / "data" / "decisions.json").write_text(json.dumps(document, ensure_ascii=False))


# --- hashing and the files ----------------------------------------------------------------------


def test_hashes_follow_the_contract():
    value = {"b": [1, None], "a": "公示", "c": {"y": 1, "x": ""}}
    assert record.canonical(value) == '{"a":"公示","b":[1,null],"c":{"x":"","y":1}}'.encode()
    entries = chain(EVENTS)
    assert [record.entry_hash(e) for e in entries] == [e["hash"] for e in entries]
    assert record.data_hash(A) == entries[0]["data_sha256"]
    record.check_chain(entries)
    broken = copy.deepcopy(entries)
    broken[1]["event"] = "withdrawn"
    with pytest.raises(record.RecordError, match="entry 2: hash does not match"):
        record.check_chain(broken)


def test_the_published_files_are_canonical_lines_and_the_head(tmp_path):
    entries = chain(EVENTS)
    (tmp_path / record.CACHE_FILE).write_bytes(record.jsonl(entries))
    files = dict(record.site_files(tmp_path))
    assert set(files) == {record.RECORD_JSONL, record.HEAD_JSON}
    assert files[record.RECORD_JSONL].splitlines() == [_canonical(e) for e in entries]
    head = {"sequence": 3, "hash": entries[-1]["hash"]}
    assert files[record.HEAD_JSON] == _canonical(head) + b"\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert dict(record.site_files(empty))[record.HEAD_JSON] == (
        b'{"hash":"' + ZERO.encode() + b'","sequence":0}\n'
    )


def test_a_signed_head_is_the_same_bytes_every_time_and_verifies(tmp_path, monkeypatch):
    key = Ed25519PrivateKey.generate()
    (tmp_path / record.CACHE_FILE).write_bytes(record.jsonl(chain(EVENTS)))
    monkeypatch.setenv(record.SIGNING_KEY_VARIABLE, _pem(key))
    first, again = dict(record.site_files(tmp_path)), dict(record.site_files(tmp_path))
    assert first == again
    signature = base64.b64decode(first[record.HEAD_SIG])
    key.public_key().verify(signature, first[record.HEAD_JSON])
    public = serialization.load_pem_public_key(first[record.PUBLIC_KEY])
    assert public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == (
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    key_file = tmp_path / "key.pem"  # or the path of the key's file
    key_file.write_text(_pem(key))
    monkeypatch.setenv(record.SIGNING_KEY_VARIABLE, str(key_file))
    assert dict(record.site_files(tmp_path)) == first
    monkeypatch.setenv(record.SIGNING_KEY_VARIABLE, "not a key")
    with pytest.raises(record.RecordError, match="PUBLIC_RECORD_SIGNING_KEY"):
        record.site_files(tmp_path)


def test_an_unsigned_build_removes_the_signature_a_copy_carried(tmp_path):
    build = tmp_path / "build"
    for path in (record.HEAD_SIG, record.PUBLIC_KEY):
        (build / path).parent.mkdir(parents=True, exist_ok=True)
        (build / path).write_text("old")
    record.drop_unsigned(build, [record.RECORD_JSONL, record.HEAD_JSON])
    assert not (build / record.HEAD_SIG).exists() and not (build / record.PUBLIC_KEY).exists()


# --- fetching -----------------------------------------------------------------------------------


class FakeCMS:
    """Answers ``/api/v3/record/`` from a list of entries, as the contract says."""

    def __init__(self, entries: list[dict], page: int = 1000):
        self.entries, self.page, self.asked = entries, page, []

    def get_json(self, path: str, params: dict) -> dict:
        assert path == record.API_PATH
        self.asked.append(params["after"])
        items = [e for e in self.entries if e["sequence"] > params["after"]]
        items = items[: min(params["limit"], self.page)]
        return {"head": record.head_of(self.entries), "count": len(items), "items": items}


def test_the_record_is_fetched_after_what_is_held_and_in_pages():
    entries = chain(EVENTS)
    cms = FakeCMS(entries, page=1)
    fetched = record.fetch(cms, entries[:1])
    assert fetched.entries == entries and fetched.changed == {"甲-1", "乙-2"}
    assert cms.asked == [1, 2]  # one a page, until the head
    cms.asked.clear()
    assert record.fetch(cms, entries) == record.Fetched(entries, set())
    assert cms.asked == [3]
    assert record.fetch(FakeCMS(entries), []).changed is None  # all new: every page made


def test_a_held_record_that_does_not_join_the_cms_is_fetched_again_from_the_start():
    cms_entries = chain(EVENTS)
    other = chain([("丙-3", "published", notice("丙-3"))])  # e.g. another CMS's database
    cms = FakeCMS(cms_entries)
    fetched = record.fetch(cms, other)
    assert fetched.entries == cms_entries and fetched.changed is None
    assert cms.asked == [1, 0]
    longer = chain([("丙-3", "published", notice("丙-3"))], start=cms_entries)
    cms.asked.clear()
    assert record.fetch(cms, longer).entries == cms_entries  # the CMS's is shorter: its own
    assert cms.asked == [4, 0]


def test_an_entry_from_the_cms_that_does_not_verify_stops_the_export():
    entries = chain(EVENTS)
    entries[2]["subject"] = "乙-2"
    with pytest.raises(record.RecordError, match="entry 3"):
        record.fetch(FakeCMS(entries), entries[:2])


def test_what_is_published_stops_where_the_notices_were_read():
    entries = chain(EVENTS)
    # The notices were read before the window closed: the last entry waits for the next build.
    assert record.consistent_length(entries, {"甲-1": _sha(A), "乙-2": _sha(B)}) == 2
    assert record.consistent_length(entries, {"甲-1": _sha(A_CLOSED), "乙-2": _sha(B)}) == 3
    with pytest.raises(record.RecordError, match="丙-3"):
        record.consistent_length(entries, {"丙-3": _sha(A)})


def test_an_incremental_export_checks_only_the_notices_that_changed():
    """Notices outside ``only`` agreed when the last build checked them: not checked again."""
    entries = chain(EVENTS)
    expected = {"甲-1": _sha(A), "乙-2": "the hash of data the record never had"}
    assert record.consistent_length(entries, expected, only={"甲-1"}) == 2
    with pytest.raises(record.RecordError, match="乙-2"):
        record.consistent_length(entries, expected, only={"甲-1", "乙-2"})
    assert record.consistent_length(entries, expected, only=set()) == len(entries)


def test_the_held_record_is_kept_and_read_back(tmp_path):
    entries = chain(EVENTS)
    record.Held(entries).save(tmp_path)
    assert record.Held.load_soon(tmp_path).ready() == entries
    (tmp_path / record.CACHE_FILE).write_bytes(record.jsonl(entries[:1] + entries[2:]))
    assert record.load(tmp_path) == []  # a gap: fetched whole again


# --- the pages' sources -------------------------------------------------------------------------


def _notice_record(number: str, page_id: int, state: str = "under_publicity") -> dict:
    return {"id": page_id, "url": f"notices/n{page_id}/", "state": state,
            "entry": {"title": f"公告{number}", "notice_number": number}}  # fmt: skip


def test_each_notice_has_a_record_page_with_its_entries_in_chinese():
    entries = chain(EVENTS)
    notices = [_notice_record("甲-1", 1, "closed"), _notice_record("乙-2", 2)]
    sources = record_pages.notice_sources(entries, notices, None, None)
    page = sources["notices/n1/record.json"]
    assert page["metadata"]["url"] == "notices/n1/record/"
    assert page["metadata"]["save_as"] == "notices/n1/record/index.html"
    assert page["cms"]["notice"]["listing"]["url"] == "notices/closed/"
    shown = page["cms"]["entries"]
    assert [(e["sequence"], e["event_label"]) for e in shown] == [(1, "发布"), (3, "公示结束")]
    assert shown[0]["recorded_at_zh"] == "2026年12月7日 00:00:00（北京时间）"
    assert shown[1]["hash"] == entries[2]["hash"]

    # Only the pages of notices fetched again or with new entries are made again.
    def made(fresh, changed):
        found = record_pages.notice_sources(entries, notices, fresh, changed)
        return {path for path, source in found.items() if source is not UNCHANGED}

    assert made(set(), {"乙-2"}) == {"notices/n2/record.json"}
    assert made({1}, set()) == {"notices/n1/record.json"}
    assert made(set(), set()) == set()


def test_recorded_times_are_read_in_beijing_time():
    assert record_pages.recorded_at_zh("2026-12-06T16:30:05+00:00") == (
        "2026年12月7日 00:30:05（北京时间）"
    )


def test_no_rejection_page_takes_the_record_pages_address():
    assert item_segments(["RECORD", "record", "A1"]) == ["record-2", "record-3", "a1"]


def test_every_event_has_its_chinese_name():
    assert record.EVENTS["correction_published"] == "更正公告发布"
    assert record.EVENTS["finalised"] == "确认认定结果"
    assert {"published", "window_opened", "window_closed", "corrected", "withdrawn"} <= set(
        record.EVENTS
    )


# --- verify-record ------------------------------------------------------------------------------


def test_an_untouched_site_verifies(small_site, capsys):
    report = verify(reader(str(small_site)))
    assert (report.entries, report.notices, report.rows, report.signature) == (3, 2, 2, "")
    assert main(["verify-record", str(small_site)]) == 0
    out = capsys.readouterr().out
    assert "公示记录核验通过" in out and "entries: 3" in out and "notices: 2" in out


def test_a_changed_past_entry_is_named_by_its_sequence(small_site, capsys):
    entries = _lines(small_site)
    entries[0]["recorded_at"] = "2026-12-08T00:00:00+08:00"
    _rewrite(small_site, entries)
    _fails(small_site, "序号 1 的条目", "entry 1: hash does not match")
    entries[0]["hash"] = _sha({k: v for k, v in entries[0].items() if k != "hash"})
    _rewrite(small_site, entries)  # its hash made to fit: the next entry's link breaks
    _fails(small_site, "entry 2: previous_hash")
    assert main(["verify-record", str(small_site)]) == 1
    err = capsys.readouterr().err
    assert "公示记录核验失败" in err and "entry 2" in err


def test_a_dropped_entry_is_a_gap(small_site):
    entries = _lines(small_site)
    _rewrite(small_site, entries[:1] + entries[2:])
    _fails(small_site, "序号应为 2，实为 3", "entry 3: sequence should be 2")
    _rewrite(small_site, entries[:2])  # the last one: the head says otherwise
    _fails(small_site, "记录头", "does not match the last entry")


def test_changed_notice_data_is_named_by_its_number(small_site):
    document = _decisions(small_site)
    document["notices"][1]["items"][0]["project_leader"] = "王五"
    _save_decisions(small_site, document)
    _fails(small_site, "公告 乙-2", "notice 乙-2: its data hashes to")


def test_a_changed_row_is_named_by_its_notice_and_column(small_site):
    for column, value in (("project_name", "另一项目"), ("window_end", "2026-12-31"),
                          ("reason_codes", []), ("notice_title", "别的标题")):  # fmt: skip
        document = _decisions(small_site)
        original = copy.deepcopy(document)
        document["decisions"][1][column] = value
        _save_decisions(small_site, document)
        _fails(small_site, "公告 乙-2", column)
        _save_decisions(small_site, original)
    document = _decisions(small_site)
    document["decisions"].pop()
    _save_decisions(small_site, document)
    _fails(small_site, "item 7 has no row")


def test_a_notice_without_entries_fails(tmp_path):
    site = write_site(tmp_path, chain(EVENTS[:1]), [A, B])
    _fails(site, "公告 乙-2", "no entry of the record")


def test_a_signed_site_verifies_with_its_key_or_a_given_one(tmp_path, capsys):
    key = Ed25519PrivateKey.generate()
    site = write_site(tmp_path, chain(EVENTS), [A_CLOSED, B], key=key)
    assert verify(reader(str(site))).signature == record.PUBLIC_KEY
    saved = tmp_path / "saved.pem"
    saved.write_bytes(record.public_key_pem(key))
    assert main(["verify-record", str(site), "--public-key", str(saved)]) == 0
    assert f"公钥：--public-key {saved}" in capsys.readouterr().out


def test_a_bad_signature_fails(tmp_path):
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    site = write_site(tmp_path, chain(EVENTS), [A_CLOSED, B], key=key)
    wrong = tmp_path / "other.pem"
    wrong.write_bytes(record.public_key_pem(other))
    _fails(site, "签名无效", f"public key: --public-key {wrong}", public_key=wrong)
    # A head changed together with the record: the signature no longer fits it.
    entries = chain(EVENTS[:2])
    _rewrite(site, entries)
    head = {"sequence": 2, "hash": entries[-1]["hash"]}
    (site / record.HEAD_JSON).write_bytes(_canonical(head) + b"\n")
    _fails(site, "签名无效", "public key: record/public-key.pem")
    # No signature at all, while the reader holds the key: the signature was removed.
    (site / record.HEAD_SIG).unlink()
    _fails(site, "head.json.sig", public_key=wrong)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_site_is_verified_over_http_too(small_site, capsys):
    handler = functools.partial(_Quiet, directory=str(small_site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            assert verify(reader(url)).entries == 3
            (small_site / record.RECORD_JSONL).unlink()
            assert main(["verify-record", url]) == 1
            assert "record/record.jsonl" in capsys.readouterr().err
        finally:
            server.shutdown()


def test_an_unreadable_site_is_not_a_mismatch(tmp_path, capsys):
    assert main(["verify-record", str(tmp_path / "nowhere")]) == 2
    assert "无法读取" in capsys.readouterr().err
