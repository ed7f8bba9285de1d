"""The public record (公示记录, see docs/public-record.md): fetched from the read API, kept between
builds, and published with the site.

The exporter fetches only the entries after the last one it holds (``content/.record.jsonl``, one
canonical JSON line each); when what it holds does not join the CMS's chain, it fetches the whole
record again. Every new entry is checked (hash, sequence, link) before it is kept. What is
published is the longest part of the record that agrees with the notices exported with it: the
last entry of each notice carries the hash of that notice's data (``record_data``), so a reader
can check the one against the other in the published files alone (``python -m portal
verify-record``). The build step writes ``record/record.jsonl``, ``record/head.json`` and, with
an Ed25519 key in ``PUBLIC_RECORD_SIGNING_KEY``, the head's signature and the public key.
"""

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import warm
from .client import CMSClient
from .files import replace_file
from .urls import HEAD_JSON, HEAD_SIG, PUBLIC_KEY, RECORD_JSONL

API_PATH = "/api/v3/record/"
PAGE_LIMIT = 1000  # the API's maximum
TAIL_BYTES = 1 << 16  # more than an entry's line
ZERO_HASH = "0" * 64
CACHE_FILE = ".record.jsonl"
SIGNING_KEY_VARIABLE = "PUBLIC_RECORD_SIGNING_KEY"
FIELDS = ("sequence", "recorded_at", "kind", "subject", "event", "data_sha256", "previous_hash",
          "hash")  # fmt: skip

# event → 中文, as the pages show them.
EVENTS = {
    "published": "发布",
    "correction_published": "更正公告发布",
    "window_opened": "公示开始",
    "window_closed": "公示结束",
    "corrected": "已更正",
    "withdrawn": "撤回",
    "finalised": "确认认定结果",
    "policy_status": "政策文件发布或状态变更",
}


class RecordError(ValueError):
    """The record cannot be published as the CMS sent it (or as the build holds it)."""


# --- hashing ------------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """The contract's canonical JSON, UTF-8."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_hash(value: Any) -> str:
    """SHA-256 of a subject's canonical public data."""
    return sha256_hex(canonical(value))


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the entry without ``hash``."""
    return data_hash({key: value for key, value in entry.items() if key != "hash"})


def entry_problem(entry: Any, previous: dict[str, Any] | None) -> tuple[str, str] | None:
    """Why ``entry`` does not follow ``previous`` (None: the first) in a chain, in Chinese and
    English; None when it does."""
    if not isinstance(entry, dict) or any(key not in entry for key in FIELDS):
        return "字段不全", f"missing fields (expected {', '.join(FIELDS)})"
    sequence = previous["sequence"] + 1 if previous else 1
    if entry["sequence"] != sequence:
        return (f"序号应为 {sequence}，实为 {entry['sequence']}",
                f"sequence should be {sequence}, is {entry['sequence']}")  # fmt: skip
    linked = previous["hash"] if previous else ZERO_HASH
    if entry["previous_hash"] != linked:
        return (f"previous_hash 与上一条的哈希 {linked} 不符",
                f"previous_hash does not match the previous entry's hash {linked}")  # fmt: skip
    computed = entry_hash(entry)
    if entry["hash"] != computed:
        return (f"哈希不符（记录为 {entry['hash']}，重新计算为 {computed}）",
                f"hash does not match (recorded {entry['hash']}, computed {computed})")  # fmt: skip
    return None


def check_chain(entries: list[dict[str, Any]], previous: dict[str, Any] | None = None) -> None:
    """Raises :class:`RecordError` at the first entry that does not follow the one before."""
    for entry in entries:
        problem = entry_problem(entry, previous)
        if problem:
            where = entry.get("sequence") if isinstance(entry, dict) else "?"
            raise RecordError(f"Public record entry {where}: {problem[1]}")
        previous = entry


def head_of(entries: list[dict[str, Any]]) -> dict[str, Any]:
    last = entries[-1] if entries else None
    return {"sequence": last["sequence"], "hash": last["hash"]} if last else {
        "sequence": 0, "hash": ZERO_HASH}  # fmt: skip


# --- fetching and keeping -----------------------------------------------------------------------


def load(content_dir: Path) -> list[dict[str, Any]]:
    """The entries the last export kept; none when there are none or they do not follow each
    other (their hashes were checked when they were fetched: not again, there may be tens of
    thousands). Held in memory by the resident builder (:mod:`portal.warm`)."""
    return warm.loaded(content_dir / CACHE_FILE, lambda: _read(content_dir), "record")


def _read(content_dir: Path) -> list[dict[str, Any]]:
    try:
        # One JSON array: one call of the decoder, not one a line (a newline is never inside
        # a line of canonical JSON).
        lines = (content_dir / CACHE_FILE).read_bytes().strip(b"\n")
        entries = json.loads(b"[" + lines.replace(b"\n", b",") + b"]")
        previous = {"sequence": 0, "hash": ZERO_HASH}
        for entry in entries:
            if (entry["sequence"], entry["previous_hash"]) != (
                previous["sequence"] + 1,
                previous["hash"],
            ) or any(key not in entry for key in FIELDS):
                return []
            previous = entry
    except (OSError, ValueError, TypeError, KeyError):
        return []
    return entries


def last_sequence(content_dir: Path) -> int:
    """The sequence of the last entry kept (0 when none), read from the end of the file."""
    try:
        with (content_dir / CACHE_FILE).open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - TAIL_BYTES))
            tail = file.read().rstrip(b"\n")
        return int(json.loads(tail.rpartition(b"\n")[2])["sequence"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


@dataclass
class Held:
    """The entries an export starts from (read in a thread while it waits for the CMS), and
    then the ones it publishes, which :meth:`save` keeps for the next export."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    pending: Future | None = None
    stored: list[dict[str, Any]] = field(default_factory=list)  # as read from the file

    @classmethod
    def load_soon(cls, content_dir: Path) -> "Held":
        pool = ThreadPoolExecutor(max_workers=1)
        held = cls(pending=pool.submit(load, content_dir))
        pool.shutdown(wait=False)
        return held

    def ready(self) -> list[dict[str, Any]]:
        if self.pending is not None:
            self.entries, self.pending = self.pending.result(), None
            self.stored = self.entries
        return self.entries

    def save(self, content_dir: Path) -> None:
        """Appends the new entries when those read are kept as they were (the usual case: a
        few lines, not the whole record again); writes the file anew otherwise."""
        entries, stored, path = self.ready(), self.stored, content_dir / CACHE_FILE
        if stored and len(entries) >= len(stored) and entries[len(stored) - 1] is stored[-1]:
            if len(entries) > len(stored):
                with path.open("ab") as file:
                    file.write(jsonl(entries[len(stored) :]))
        else:
            replace_file(path, jsonl(entries))
        self.stored = entries


def _after(client: CMSClient, sequence: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every entry after ``sequence`` and the head the last answer gave."""
    entries: list[dict[str, Any]] = []
    while True:
        answer = client.get_json(API_PATH, {"after": sequence, "limit": PAGE_LIMIT})
        items, head = answer["items"], answer["head"]
        entries += items
        if not items or items[-1]["sequence"] >= head["sequence"]:
            return head, entries
        sequence = items[-1]["sequence"]


@dataclass(frozen=True)
class Fetched:
    entries: list[dict[str, Any]]
    # Subjects with an entry the held record did not have; None: the record was fetched whole.
    changed: set[str] | None


def fetch(client: CMSClient, held: list[dict[str, Any]]) -> Fetched:
    """The CMS's record: ``held`` and the entries after it, or the whole of it afresh when the
    two do not join. Raises :class:`RecordError` when what the CMS sends does not verify."""
    head, new = _after(client, held[-1]["sequence"] if held else 0)
    if held:
        joins = new[0].get("previous_hash") == held[-1]["hash"] if new else head == head_of(held)
        if not joins:
            held = []
            head, new = _after(client, 0)
    check_chain(new, held[-1] if held else None)
    entries = held + new
    last = head_of(entries)
    if head["sequence"] < last["sequence"] or (
        head["sequence"] == last["sequence"] and head["hash"] != last["hash"]
    ):
        raise RecordError(f"The record's head {head} does not match its last entry {last}")
    return Fetched(entries, {entry["subject"] for entry in new} if held else None)


def consistent_length(
    entries: list[dict[str, Any]], notices: dict[str, str], only: set[str] | None = None
) -> int:
    """The length of the longest part of ``entries`` (from the first) after which each notice
    (number → SHA-256 of its data) has as its last entry one with that data hash: entries the
    CMS added after the notices were read are left to the next build. Raises
    :class:`RecordError` when no such part exists. ``only``: the notices to check, when the
    others are known to agree (their data and their entries as the last build checked them)."""
    if only is not None:
        notices = {number: notices[number] for number in only if number in notices}
    positions: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        if entry["kind"] == "notice" and entry["subject"] in notices:
            positions.setdefault(entry["subject"], []).append(position)

    def agrees(subject: str) -> bool:
        found = positions.get(subject)
        return bool(found) and entries[found[-1]]["data_sha256"] == notices[subject]

    wrong = {subject for subject in notices if not agrees(subject)}
    length = len(entries)
    while wrong and length > 0:
        length -= 1
        subject = entries[length]["subject"]
        if entries[length]["kind"] == "notice" and subject in notices:
            positions[subject].pop()
            wrong.discard(subject)
            if not agrees(subject):
                wrong.add(subject)
    if wrong:
        first = sorted(wrong)[0]
        raise RecordError(
            f"The public record and the notices disagree: no entry of notice {first!r} carries"
            f" the hash of its data ({notices[first]}). Notices live before the record existed"
            " are recorded by `manage.py record_existing` on the CMS."
        )
    return length


# --- the published files ------------------------------------------------------------------------


def jsonl(entries: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(canonical(entry) + b"\n" for entry in entries)


def signing_key() -> Ed25519PrivateKey | None:
    """The key in ``PUBLIC_RECORD_SIGNING_KEY`` (PEM, PKCS8; or the path of such a file)."""
    value = os.environ.get(SIGNING_KEY_VARIABLE, "").strip()
    if not value:
        return None
    try:
        pem = value.encode() if "-----BEGIN" in value else Path(value).read_bytes()
        key = serialization.load_pem_private_key(pem, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise RecordError(f"{SIGNING_KEY_VARIABLE} holds no usable private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise RecordError(f"{SIGNING_KEY_VARIABLE} holds a key that is not Ed25519")
    return key


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def signing_info() -> dict[str, str] | None:
    """What the 公示记录 page says of the signature: the public key's SHA-256 (of the file)."""
    key = signing_key()
    return {"public_key_sha256": sha256_hex(public_key_pem(key))} if key else None


def site_files(content_dir: Path) -> list[tuple[str, bytes]]:
    """The record's files for the site, from what the export kept: the entries, the head and,
    with a signing key, its signature and the public key."""
    try:
        lines = (content_dir / CACHE_FILE).read_bytes()
    except FileNotFoundError:
        lines = b""
    last = lines.rstrip(b"\n").rpartition(b"\n")[2]
    head = canonical(head_of([json.loads(last)] if last else [])) + b"\n"
    files = [(RECORD_JSONL, lines), (HEAD_JSON, head)]
    key = signing_key()
    if key is not None:
        signature = base64.b64encode(key.sign(head)) + b"\n"
        files += [(HEAD_SIG, signature), (PUBLIC_KEY, public_key_pem(key))]
    return files


def drop_unsigned(build_dir: Path, written: list[str]) -> None:
    """Removes a signature and key left (in a copy of an earlier build) when this build wrote
    none."""
    for path in (HEAD_SIG, PUBLIC_KEY):
        if path not in written:
            (build_dir / path).unlink(missing_ok=True)
