"""``python -m portal verify-record``: checks a published site's public record from its files
alone (a directory, or the site's address over HTTP).

It recomputes every entry's hash and the chain (sequence without gaps, each ``previous_hash`` the
hash before it, the head the last entry), verifies the head's signature when there is one, checks
that each notice's data in ``data/decisions.json`` (``notices``) hashes to the ``data_sha256`` of
the notice's last entry, and that every row of ``decisions`` agrees with its notice's data. The
first thing that does not match is reported, by entry sequence or notice number, with the reason.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import record
from .urls import DECISIONS_JSON, HEAD_JSON, HEAD_SIG, PUBLIC_KEY, RECORD_JSONL

# (row column, notice field) and the item fields a row repeats.
NOTICE_COLUMNS = (("notice_number", "notice_number"), ("notice_title", "title"),
                  ("window_start", "window_start"), ("window_end", "window_end"))  # fmt: skip
ITEM_COLUMNS = ("project_code", "project_name", "undertaking_unit", "project_leader", "decision",
                "ground_codes", "reason_codes")  # fmt: skip

Reader = Callable[[str], bytes | None]


class Mismatch(Exception):
    """The record does not verify: what, in Chinese and in English."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


class Unreadable(Exception):
    """A file could not be read at all (not the same as one that does not verify)."""


@dataclass(frozen=True)
class Report:
    entries: int
    head: dict[str, Any]
    signature: str  # where the public key came from; "" when the head is not signed
    notices: int
    rows: int


def reader(where: str, timeout: float = 30.0) -> Reader:
    """Reads a site's file by its path: from a directory, or over HTTP(S); None when absent."""
    if where.startswith(("http://", "https://")):
        base = where.rstrip("/") + "/"
        session = requests.Session()

        def fetch(path: str) -> bytes | None:
            try:
                response = session.get(base + path, timeout=timeout)
            except requests.RequestException as exc:
                raise Unreadable(f"{base + path}: {exc}") from exc
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise Unreadable(f"{base + path}: HTTP {response.status_code}")
            return response.content

        return fetch
    root = Path(where)
    if not root.is_dir():
        raise Unreadable(f"{where}: not a directory or an http(s) address")

    def read(path: str) -> bytes | None:
        try:
            return (root / path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Unreadable(f"{root / path}: {exc}") from exc

    return read


def _required(read: Reader, path: str) -> bytes:
    data = read(path)
    if data is None:
        raise Mismatch(f"找不到 {path}", f"{path} is missing")
    return data


def _json(data: bytes, path: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise Mismatch(f"{path} 不是有效的 JSON", f"{path} is not valid JSON: {exc}") from exc


def check_entries(data: bytes) -> list[dict[str, Any]]:
    """The entries of record.jsonl, each checked against the one before it."""
    entries: list[dict[str, Any]] = []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        where_zh, where_en = f"record.jsonl 第 {number} 行", f"record.jsonl line {number}"
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise Mismatch(f"{where_zh}不是 JSON", f"{where_en} is not JSON") from exc
        if isinstance(entry, dict) and "sequence" in entry:
            where_zh, where_en = f"序号 {entry['sequence']} 的条目", f"entry {entry['sequence']}"
        problem = record.entry_problem(entry, entries[-1] if entries else None)
        if problem:
            raise Mismatch(f"{where_zh}：{problem[0]}", f"{where_en}: {problem[1]}")
        if line != record.canonical(entry):
            raise Mismatch(f"{where_zh}：该行不是规范 JSON", f"{where_en}: not canonical JSON")
        entries.append(entry)
    return entries


def check_head(data: bytes, entries: list[dict[str, Any]]) -> dict[str, Any]:
    head, last = _json(data, HEAD_JSON), record.head_of(entries)
    if head != last:
        raise Mismatch(
            f"记录头 {head} 与最后一个条目 {last} 不符",
            f"the head {head} does not match the last entry {last}",
        )
    return head


def check_signature(read: Reader, head: bytes, public_key: Path | None) -> str:
    """Verifies head.json.sig when published; returns where the key came from ("" unsigned)."""
    signature = read(HEAD_SIG)
    if signature is None:
        if public_key is not None:
            raise Mismatch(
                "指定了 --public-key，但站点没有发布签名 head.json.sig",
                "--public-key was given, but the site publishes no head.json.sig",
            )
        return ""
    if public_key is not None:
        pem, source = public_key.read_bytes(), f"--public-key {public_key}"
    else:
        pem, source = _required(read, PUBLIC_KEY), PUBLIC_KEY
    try:
        key = serialization.load_pem_public_key(pem)
        raw = base64.b64decode(signature.strip(), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise Mismatch("公钥或签名无法读取", f"unreadable public key or signature: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise Mismatch("公钥不是 Ed25519 公钥", "the public key is not an Ed25519 key")
    try:
        key.verify(raw, head)
    except InvalidSignature as exc:
        raise Mismatch(
            f"head.json 的签名无效（公钥：{source}）",
            f"the signature of head.json is not valid (public key: {source})",
        ) from exc
    return source


def check_notices(notices: list[dict[str, Any]], entries: list[dict[str, Any]]) -> None:
    """Each notice's data hashes to the data hash of its last entry."""
    last: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry["kind"] == "notice":
            last[entry["subject"]] = entry
    for notice in sorted(notices, key=lambda n: str(n.get("notice_number"))):
        number = notice.get("notice_number")
        entry = last.get(number)
        if entry is None:
            raise Mismatch(f"公告 {number}：公示记录中没有它的条目",
                           f"notice {number}: no entry of the record is about it")  # fmt: skip
        computed = record.data_hash(notice)
        if computed != entry["data_sha256"]:
            raise Mismatch(
                f"公告 {number}：其数据的哈希 {computed} 与最后一个条目（序号"
                f" {entry['sequence']}）的数据哈希 {entry['data_sha256']} 不符",
                f"notice {number}: its data hashes to {computed}, its last entry"
                f" ({entry['sequence']}) says {entry['data_sha256']}",
            )


def _differs(number: str, item: Any, column: str, row_value: Any, value: Any) -> Mismatch:
    return Mismatch(
        f"公告 {number} 的认定事项 {item}：decisions 中的 {column} 为 {row_value!r}，"
        f"notices 中为 {value!r}",
        f"notice {number}, item {item}: {column} is {row_value!r} in decisions, {value!r} in"
        " notices",
    )


def check_rows(rows: list[dict[str, Any]], notices: list[dict[str, Any]]) -> None:
    """Each row of ``decisions`` agrees with its notice's data, and each item has its row."""
    by_number = {notice.get("notice_number"): notice for notice in notices}
    seen: set[tuple[Any, Any]] = set()
    for row in rows:
        number, item_id = row.get("notice_number"), row.get("item_id")
        notice = by_number.get(number)
        if notice is None:
            raise Mismatch(f"认定事项 {item_id}：其公告 {number} 不在 notices 中",
                           f"item {item_id}: its notice {number} is not in notices")  # fmt: skip
        for column, name in NOTICE_COLUMNS:
            if row.get(column) != notice.get(name):
                raise _differs(number, item_id, column, row.get(column), notice.get(name))
        items = {item.get("item_id"): item for item in notice.get("items") or []}
        item = items.get(item_id)
        if item is None:
            raise Mismatch(f"公告 {number}：notices 中没有认定事项 {item_id}",
                           f"notice {number}: item {item_id} is not in its data")  # fmt: skip
        for column in ITEM_COLUMNS:
            if row.get(column) != item.get(column):
                raise _differs(number, item_id, column, row.get(column), item.get(column))
        seen.add((number, item_id))
    for notice in sorted(notices, key=lambda n: str(n.get("notice_number"))):
        number = notice.get("notice_number")
        for item in notice.get("items") or []:
            if (number, item.get("item_id")) not in seen:
                raise Mismatch(
                    f"公告 {number}：认定事项 {item.get('item_id')} 在 decisions 中没有对应行",
                    f"notice {number}: item {item.get('item_id')} has no row in decisions",
                )


def verify(read: Reader, public_key: Path | None = None) -> Report:
    """Checks everything (see the module's description); raises :class:`Mismatch` at the first
    thing that does not match, :class:`Unreadable` when a file cannot be read."""
    entries = check_entries(_required(read, RECORD_JSONL))
    head_bytes = _required(read, HEAD_JSON)
    head = check_head(head_bytes, entries)
    signature = check_signature(read, head_bytes, public_key)
    document = _json(_required(read, DECISIONS_JSON), DECISIONS_JSON)
    notices, rows = document.get("notices"), document.get("decisions")
    if not isinstance(notices, list) or not isinstance(rows, list):
        raise Mismatch(f"{DECISIONS_JSON} 中没有 notices 或 decisions 数组",
                       f"{DECISIONS_JSON} has no notices or decisions list")  # fmt: skip
    check_notices(notices, entries)
    check_rows(rows, notices)
    return Report(len(entries), head, signature, len(notices), len(rows))


def summary(report: Report) -> list[str]:
    """What was checked, in Chinese and English."""
    head = report.head
    signed = (
        f"签名有效（公钥：{report.signature}） / signature valid (public key: {report.signature})"
        if report.signature
        else "未签名（没有 head.json.sig） / not signed (no head.json.sig)"
    )
    return [
        "公示记录核验通过 / The public record verifies",
        f"  条目 entries: {report.entries}（哈希和链接均已重新计算 / hashes and links recomputed）",
        f"  记录头 head: 序号 sequence {head['sequence']}, {head['hash']}（与最后一个条目一致 /"
        " matches the last entry）",
        f"  {signed}",
        f"  公告 notices: {report.notices}（数据哈希与其最后一个条目一致 / data hashes match"
        " their last entries）",
        f"  认定事项 decision rows: {report.rows}（与所属公告的数据一致 / agree with their"
        " notices' data）",
    ]
