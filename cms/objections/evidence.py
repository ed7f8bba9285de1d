"""Evidence files: their type, judged by content, and whether they are safe to keep.

Plain Python and pypdf, no Django (the view passes the limits from settings). A file of an
accepted type is refused (``EvidenceRefused``) when it is a PDF that acts when opened (scripts,
launch actions, embedded files) or that cannot be parsed, and so cannot be checked; or an OFD,
a zip, past the bounds on entries, uncompressed size or compression ratio (a zip bomb).
"""

import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    content_type: str
    label: str


PDF = EvidenceType("pdf", "application/pdf", "PDF")
JPEG = EvidenceType("jpg", "image/jpeg", "JPEG")
PNG = EvidenceType("png", "image/png", "PNG")
OFD = EvidenceType("ofd", "application/ofd", "OFD")
ACCEPTED_TYPES = (PDF, JPEG, PNG, OFD)

ZIP_MAGIC = b"PK\x03\x04"


def detect_evidence_type(head: bytes) -> EvidenceType | None:
    """PDF, JPEG or PNG from the file's first bytes, never its name (an OFD, a zip holding
    ``OFD.xml``, takes more: ``check_ofd``)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


@dataclass(frozen=True)
class Limits:
    """How far the checks go before they refuse a file. The time is for every PDF checked under
    the same limits, counted from when they were made: make them once per submission."""

    archive_entries: int = 1000
    archive_bytes: int = 50 * 1024 * 1024  # uncompressed, all entries together
    archive_ratio: int = 200  # uncompressed / compressed, per entry (XML: 5–50)
    pdf_objects: int = 100_000
    # A stream pypdf decodes (object and cross-reference streams; never page content or images)
    # is refused past this: it bounds the work pypdf does in one go, between two checks of time.
    pdf_stream_bytes: int = 1024 * 1024
    pdf_seconds: float = 8.0
    started: float = field(default_factory=time.monotonic)

    @property
    def pdf_deadline(self) -> float:
        return self.started + self.pdf_seconds


class EvidenceRefused(Exception):
    """A file of an accepted type that is not kept: a stable code, a message in both languages."""

    def __init__(self, code: str, message: str, message_en: str):
        super().__init__(code)
        self.code, self.message, self.message_en = code, message, message_en


def examine(content: bytes, limits: Limits | None = None) -> EvidenceType | None:
    """The file's type, judged by its content, once it has passed the checks; None for a type
    not accepted. Raises ``EvidenceRefused`` for an accepted type that is not safe to keep."""
    limits = limits or Limits()
    if content.startswith(ZIP_MAGIC):
        return check_ofd(content, limits)
    kind = detect_evidence_type(content[:16])
    if kind is PDF:
        check_pdf(content, limits)
    return kind


# --- PDF ----------------------------------------------------------------------------------

# Names that make a PDF act when opened or clicked: scripts (also in XFA forms), launching a
# program, files carried inside the file, rich media. A name may be hex-escaped (/J#61vaScript).
ACTIVE_NAMES = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia"}
)

UNSAFE_PDF = (
    "unsafe_pdf",
    "PDF 证明材料不得含有脚本、启动程序的动作或嵌入文件。"
    "请另存为普通 PDF（如“打印为 PDF”）后重新提交。",
    "PDF evidence must not contain scripts, launch actions or embedded files. Save it as a plain "
    "PDF (for example with “Print to PDF”) and submit it again.",
)
UNREADABLE_PDF = (
    "unreadable_pdf",
    "无法读取该 PDF 文件（已损坏、已加密或结构过于复杂），无法检查其安全性，不予接收。"
    "请另存为普通 PDF 后重新提交。",
    "The PDF could not be read (damaged, encrypted or too complex), so it cannot be checked and "
    "is not accepted. Save it as a plain PDF and submit it again.",
)


def check_pdf(content: bytes, limits: Limits) -> None:
    """Refuses a PDF that acts when opened, judged by every object pypdf finds (those in
    compressed object streams too) and, as a second guard, by the names outside its streams."""
    if _raw_names(content) & ACTIVE_NAMES:
        raise EvidenceRefused(*UNSAFE_PDF)
    try:
        found = _object_names(content, limits) & ACTIVE_NAMES
    except Exception as error:  # whatever pypdf raises, a PDF it cannot read is not checked
        raise EvidenceRefused(*UNREADABLE_PDF) from error
    if found:
        raise EvidenceRefused(*UNSAFE_PDF)


class _Unreadable(Exception):
    pass


# pypdf's bounds on what one stream may decode to, whatever its filters.
_DECODED_OUTPUT_LIMITS = (
    "zlib_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "brotli_maximum_output_length",
    "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length",
)


def _object_names(content: bytes, limits: Limits) -> set[str]:
    """Every name (dictionary keys and values) in the trailer and in every object pypdf lists."""
    with pypdf.apply_configuration(
        **dict.fromkeys(_DECODED_OUTPUT_LIMITS, limits.pdf_stream_bytes)
    ):
        return _names_in_document(content, limits)


def _names_in_document(content: bytes, limits: Limits) -> set[str]:
    deadline = limits.pdf_deadline
    if time.monotonic() > deadline:
        raise _Unreadable("out of time")
    reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _Unreadable("encrypted with a password")
    references = [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    references += [
        IndirectObject(number, generation, reader)
        for generation, numbers in reader.xref.items()
        for number in numbers
    ]
    if len(references) > limits.pdf_objects:
        raise _Unreadable(f"{len(references)} objects")
    names: set[str] = set()
    _collect_names(reader.trailer, names, deadline)
    for reference in references:
        _collect_names(reader.get_object(reference), names, deadline)
        if time.monotonic() > deadline:
            raise _Unreadable("out of time")
    return names


def _collect_names(obj, names: set[str], deadline: float) -> None:
    """Adds the names in ``obj`` and the direct objects nested in it (not those it refers to:
    every indirect object gets its own turn)."""
    pending, visited = [obj], 0
    while pending:
        node = pending.pop()
        visited += 1
        if visited % 1000 == 0 and time.monotonic() > deadline:
            raise _Unreadable("out of time")
        if isinstance(node, DictionaryObject):  # a stream's dictionary too; its data is not read
            names.update(str(key) for key in dict.keys(node))
            pending.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            pending.extend(list.__iter__(node))
        elif isinstance(node, NameObject):
            names.add(str(node))


_STREAM_START = re.compile(rb">>\s*stream\r?\n")
_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _outside_streams(content: bytes) -> Iterator[bytes]:
    """The file's text between stream bodies (found in one pass, whatever the file holds)."""
    position = 0
    while start := _STREAM_START.search(content, position):
        yield content[position : start.start()]
        end = content.find(b"endstream", start.end())
        if end < 0:
            return
        position = end + len(b"endstream")
    yield content[position:]


def _raw_names(content: bytes) -> set[str]:
    """The names written in the file outside stream bodies, hex escapes decoded."""
    names = set()
    for text in _outside_streams(content):
        for match in _NAME.finditer(text):
            name = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
            names.add("/" + name.decode("latin-1"))
    return names


# --- OFD (a zip) ----------------------------------------------------------------------------

RATIO_GRACE_BYTES = 1024 * 1024  # a small entry may compress very well; it cannot make a bomb
CHUNK_BYTES = 64 * 1024

UNREADABLE_ARCHIVE = (
    "unreadable_archive",
    "OFD 文件已损坏、已加密或所用压缩方式不受支持，无法读取，不予接收。",
    "The OFD file is damaged, encrypted or compressed in an unsupported way, and cannot be read; "
    "not accepted.",
)


def _unsafe_archive(message: str, message_en: str) -> EvidenceRefused:
    return EvidenceRefused("unsafe_archive", message, message_en)


def _bomb() -> EvidenceRefused:
    return _unsafe_archive(
        "OFD 文件的压缩比异常（疑似压缩炸弹），不予接收。",
        "The OFD file's compression ratio is abnormal (a possible zip bomb); not accepted.",
    )


def _too_large(limits: Limits) -> EvidenceRefused:
    megabytes = limits.archive_bytes // (1024 * 1024)
    return _unsafe_archive(
        f"OFD 文件解压后超过{megabytes}MB，不予接收。",
        f"The OFD file exceeds {megabytes} MB uncompressed; not accepted.",
    )


def check_ofd(content: bytes, limits: Limits) -> EvidenceType | None:
    """OFD if the zip holds ``OFD.xml`` and stays within the limits; None if it is no OFD.

    The count and sizes the archive declares are checked first (the count before the central
    directory is even parsed), then every entry is inflated in chunks and counted, stopping at
    the bound whatever the directory said."""
    if _declared_entries(content) > limits.archive_entries:
        raise _too_many_entries(limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError):  # ValueError: a name that will not decode
        return None
    with archive:
        entries = archive.infolist()
        if "OFD.xml" not in (entry.filename for entry in entries):
            return None
        if len(entries) > limits.archive_entries:
            raise _too_many_entries(limits)
        if sum(entry.file_size for entry in entries) > limits.archive_bytes:
            raise _too_large(limits)
        if any(_beyond_ratio(e.file_size, e.compress_size, limits) for e in entries):
            raise _bomb()
        _inflate_within_limits(content, entries, limits)
    return OFD


def _declared_entries(content: bytes) -> int:
    """The entry count in the end-of-central-directory record; 0 if there is none, or if it is
    in a ZIP64 record (0xFFFF), where parsing the directory will count the entries."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 22 - 0xFFFF))
    if end < 0 or end > len(content) - 22:
        return 0
    (count,) = struct.unpack_from("<H", content, end + 10)
    return 0 if count == 0xFFFF else count


def _too_many_entries(limits: Limits) -> EvidenceRefused:
    return _unsafe_archive(
        f"OFD 文件内的条目超过{limits.archive_entries}个，不予接收。",
        f"An OFD file may hold at most {limits.archive_entries} entries; not accepted.",
    )


def _beyond_ratio(size: int, compressed: int, limits: Limits) -> bool:
    return size > RATIO_GRACE_BYTES and size > limits.archive_ratio * max(compressed, 1)


def _inflate_within_limits(content: bytes, entries, limits: Limits) -> None:
    """Inflates every entry from the archive's own bytes, in chunks, counting: the deflate
    stream, not the directory, says how much there is, and the count stops at the bound. What
    comes out must then match the directory's size and CRC."""
    total = 0
    for entry in entries:
        inflated, crc = 0, 0
        for chunk in _inflated_chunks(content, entry):
            inflated += len(chunk)
            total += len(chunk)
            if total > limits.archive_bytes:
                raise _too_large(limits)
            if _beyond_ratio(inflated, entry.compress_size, limits):
                raise _bomb()
            crc = zlib.crc32(chunk, crc)
        if inflated != entry.file_size or crc != entry.CRC:
            raise EvidenceRefused(*UNREADABLE_ARCHIVE)


def _inflated_chunks(content: bytes, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's data, stored or deflated (what OFD uses); anything else is unreadable."""
    start = entry.header_offset
    encrypted = entry.flag_bits & 0x1
    if encrypted or len(content) < start + 30 or content[start : start + 4] != ZIP_MAGIC:
        raise EvidenceRefused(*UNREADABLE_ARCHIVE)
    name_length, extra_length = struct.unpack_from("<HH", content, start + 26)
    begin = start + 30 + name_length + extra_length
    data = memoryview(content)[begin : begin + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(data), CHUNK_BYTES):
            yield bytes(data[offset : offset + CHUNK_BYTES])
        return
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise EvidenceRefused(*UNREADABLE_ARCHIVE)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for offset in range(0, len(data), CHUNK_BYTES):  # fed a chunk at a time, drained in chunks
            pending = data[offset : offset + CHUNK_BYTES]
            while pending and not inflater.eof:
                yield inflater.decompress(pending, CHUNK_BYTES)
                pending = inflater.unconsumed_tail
        while not inflater.eof:  # what the last input still holds
            chunk = inflater.decompress(b"", CHUNK_BYTES)
            if not chunk:  # the deflate stream stops short
                raise EvidenceRefused(*UNREADABLE_ARCHIVE)
            yield chunk
    except zlib.error as error:
        raise EvidenceRefused(*UNREADABLE_ARCHIVE) from error
