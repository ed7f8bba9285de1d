"""Evidence files: PDFs that act when opened, OFDs that are zip bombs, and files that outlive a
failed transaction (staged, moved into place on commit, swept when left behind)."""

import io
import os
import struct
import time
import zlib
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase

from cms.objections import staging
from cms.objections.evidence import PDF
from cms.objections.models import Objection, ObjectionEvidence
from cms.objections.services import Evidence, submit_objection

from .notices import conftest as notice_fixtures
from .objections import conftest as objection_fixtures
from .objections.conftest import PDF_BYTES, ofd_bytes

# The objection API's fixtures, as in tests/cms/objections: an open notice and its item, a valid
# payload, a client that commits after each request, a private evidence directory (autouse).
make_notice, notice_index = notice_fixtures.make_notice, notice_fixtures.notice_index
api, payload = objection_fixtures.api, objection_fixtures.payload
item, open_notice = objection_fixtures.item, objection_fixtures.open_notice
fresh_rate_limits = objection_fixtures.fresh_rate_limits
private_evidence_dir = objection_fixtures.private_evidence_dir

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
HOURS_AGO = time.time() - 2 * 3600


def _post(api, payload, name: str, content: bytes):
    payload["evidence"] = [SimpleUploadedFile(name, content)]
    return api.post(URL, payload, format="multipart")


def _files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _assert_refused(response, code: str, root) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, "evidence")
    assert error["message"] and error["message_en"]
    assert not Objection.objects.exists()
    assert _files(root) == []


# --- PDFs ---------------------------------------------------------------------------------


def _pdf(objects: dict[int, bytes], packed: tuple[int, ...] = ()) -> bytes:
    """A well-formed PDF of ``objects`` (1 is the catalog). Those numbered in ``packed`` sit
    compressed in an object stream, listed by a cross-reference stream: not a byte of them
    shows in the file."""
    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    for number, body in sorted(objects.items()):
        if number not in packed:
            add(number, body)
    size = max(objects) + 1
    if not packed:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)
    stream, xref = size, size + 1
    index = b"".join(b"%d %d " % (n, sum(len(objects[m]) + 1 for m in packed[:i]))
                     for i, n in enumerate(packed))  # fmt: skip
    data = zlib.compress(index + b"".join(objects[n] + b"\n" for n in packed))
    head = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
    add(stream, head % (len(packed), len(index), len(data)) + b"\nstream\n" + data + b"\nendstream")
    offsets[xref] = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535) + b"".join(
        struct.pack(">BIH", 2, stream, packed.index(n))
        if n in packed
        else struct.pack(">BIH", 1, offsets[n], 0)
        for n in range(1, xref + 1)
    )
    head = b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>"
    add(xref, head % (xref + 1, len(rows)) + b"\nstream\n" + rows + b"\nendstream")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(out)


def _document(catalog=b"", page=b"", action: bytes | None = None) -> dict[int, bytes]:
    """Catalog (1), page tree (2) and one page (3), with the entries given, and the action (4)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s>>" % page,
    }
    return objects if action is None else {**objects, 4: action}


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert(1)) >>"
HEX_ESCAPED = b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"  # /JavaScript and /JS
LAUNCH = b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>"
OPEN_ACTION = b"/OpenAction 4 0 R "


@pytest.mark.parametrize(
    ("objects", "packed"),
    [
        pytest.param(_document(OPEN_ACTION, action=JAVASCRIPT), (), id="javascript"),
        pytest.param(_document(OPEN_ACTION, action=HEX_ESCAPED), (), id="hex-escaped"),
        pytest.param(
            _document(OPEN_ACTION, action=HEX_ESCAPED), (4,), id="hex-escaped-in-object-stream"
        ),
        pytest.param(
            _document(page=b"/AA << /O 4 0 R >> ", action=JAVASCRIPT), (4,), id="page-action"
        ),
        pytest.param(_document(OPEN_ACTION, action=LAUNCH), (), id="launch"),
        pytest.param(_document(OPEN_ACTION, action=LAUNCH), (4,), id="launch-in-object-stream"),
        pytest.param(
            _document(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >> ", action=JAVASCRIPT),
            (1, 4),
            id="document-javascript",
        ),
    ],
)
def test_a_pdf_that_acts_when_opened_is_refused(
    api, payload, private_evidence_dir, objects, packed
):
    content = _pdf(objects, packed)
    if packed:  # compressed: the check cannot rest on the file's raw bytes
        assert b"JavaScript" not in content and b"Launch" not in content
    response = _post(api, payload, "证明.pdf", content)
    _assert_refused(response, "unsafe_pdf", private_evidence_dir)


def test_a_pdf_with_an_object_stream_and_no_action_is_accepted(api, payload):
    content = _pdf(_document(b"/OpenAction [3 0 R /Fit] ", page=b"/Rotate 0 "), (1, 3))
    response = _post(api, payload, "证明.pdf", content)
    assert response.status_code == 201, response.content
    assert ObjectionEvidence.objects.get().file.read() == content


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", id="no-xref"),
        pytest.param(b"%PDF-1.4\n" + bytes(range(256)) * 8, id="garbage"),
        pytest.param(PDF_BYTES[: len(PDF_BYTES) // 2], id="truncated"),
    ],
)
def test_a_pdf_that_cannot_be_parsed_is_refused(api, payload, private_evidence_dir, content):
    response = _post(api, payload, "证明.pdf", content)
    _assert_refused(response, "unreadable_pdf", private_evidence_dir)
    assert "PDF" in response.json()["error"]["message"]


# --- OFD: zips ----------------------------------------------------------------------------


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand, fast at any size: (name, data as stored, method, CRC, size)."""
    body, directory = bytearray(), bytearray()
    for name, data, method, crc, size in entries:
        encoded, offset = name.encode(), len(body)
        sizes = (crc, len(data), size, len(encoded))
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, *sizes, 0)
        body += encoded + data
        directory += struct.pack("<4s6H3L5HLL", b"PK\x01\x02", 20, 20, 0, method, 0, 0, *sizes,
                                 0, 0, 0, 0, 0, offset)  # fmt: skip
        directory += encoded
    count = len(entries)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


OFD_XML = ("OFD.xml", b"<ofd:OFD/>", 0, zlib.crc32(b"<ofd:OFD/>"), len(b"<ofd:OFD/>"))


def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """A deflate stream of ``megabytes`` MiB of zeros, and their CRC, without deflating them all:
    a block ending in a full flush refers to nothing before it, so it can be repeated."""
    zeros = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return block * megabytes + b"\x03\x00", crc  # \x03\x00: an empty final block


def test_an_ofd_of_sixty_thousand_entries_is_refused(api, payload, private_evidence_dir):
    content = _zip([OFD_XML] + [(f"Res/{n}.xml", b"", 0, 0, 0) for n in range(60_000)])
    response = _post(api, payload, "公文.ofd", content)
    _assert_refused(response, "unsafe_archive", private_evidence_dir)
    assert "1000" in response.json()["error"]["message"]


@pytest.mark.parametrize("declared", ["true-sizes", "lying-sizes"])
def test_a_zip_bomb_holding_ofd_xml_is_refused(api, payload, private_evidence_dir, declared):
    """256 MiB of zeros in 256 KB. The directory may say so (refused on what it says) or lie,
    claiming 1,000 bytes with their CRC (refused once inflating passes the ratio: the deflate
    stream, not the directory, says how much there is)."""
    data, crc = _zeros_deflated(256)
    size = 256 << 20
    if declared == "lying-sizes":
        size, crc = 1000, zlib.crc32(bytes(1000))
    content = _zip([OFD_XML, ("Doc_0/Pages/Page_0/Content.xml", data, 8, crc, size)])
    assert len(content) < 300_000
    response = _post(api, payload, "公文.ofd", content)
    _assert_refused(response, "unsafe_archive", private_evidence_dir)


def test_an_ofd_past_the_uncompressed_bound_is_refused(
    api, payload, private_evidence_dir, settings
):
    settings.OBJECTION_OFD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    noise = [os.urandom(600_000) for _ in range(2)]  # incompressible: no ratio to catch
    content = _zip(
        [OFD_XML] + [(f"Res/{n}.png", d, 0, zlib.crc32(d), len(d)) for n, d in enumerate(noise)]
    )
    response = _post(api, payload, "公文.ofd", content)
    _assert_refused(response, "unsafe_archive", private_evidence_dir)
    assert "1MB" in response.json()["error"]["message"]


def test_an_ofd_whose_data_does_not_match_its_crc_is_refused(api, payload, private_evidence_dir):
    name, data, method, crc, size = OFD_XML
    response = _post(api, payload, "公文.ofd", _zip([(name, data, method, crc ^ 1, size)]))
    _assert_refused(response, "unreadable_archive", private_evidence_dir)


# --- staged, moved into place on commit, swept ----------------------------------------------


def _two_files_second_fails(payload):
    """Two files posted; saving the second record fails, inside the transaction."""
    payload["evidence"] = [
        SimpleUploadedFile("a.pdf", PDF_BYTES),
        SimpleUploadedFile("b.ofd", ofd_bytes()),
    ]
    original_save, calls = ObjectionEvidence.save, []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    return mock.patch.object(ObjectionEvidence, "save", failing_save)


def test_a_rollback_leaves_no_file_in_place_and_none_staged(api, payload, private_evidence_dir):
    api.raise_request_exception = False
    with _two_files_second_fails(payload):
        response = api.post(URL, payload, format="multipart")
    assert response.status_code == 500
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()
    assert _files(private_evidence_dir) == []


def test_files_wait_in_staging_until_the_commit(payload, item, private_evidence_dir):
    with TestCase.captureOnCommitCallbacks() as waiting_for_commit:
        evidence = [Evidence(PDF_BYTES, PDF, "a.pdf")]
        receipt = submit_objection({**payload, "item": item}, evidence, idempotency_key=None)
    name = receipt.record.evidence.get().file.name
    assert _files(private_evidence_dir) == [f"staging/{name}"]
    for callback in waiting_for_commit:
        callback()
    assert _files(private_evidence_dir) == [name]


def _killed_before_commit(api, payload, root) -> list[str]:
    """A submission whose worker dies after writing its files, before the commit: nothing
    cleans up. Returns what it left in the evidence directory."""
    before = set(_files(root))
    api.raise_request_exception = False
    with _two_files_second_fails(payload), mock.patch.object(staging, "discard"):
        assert api.post(URL, payload, format="multipart").status_code == 500
    return sorted(set(_files(root)) - before)


def test_the_sweep_removes_what_a_killed_worker_staged_and_keeps_a_fresh_upload(
    api, payload, private_evidence_dir
):
    old = _killed_before_commit(api, payload, private_evidence_dir)
    assert len(old) == 2 and all(name.startswith("staging/objections/") for name in old)
    assert not Objection.objects.exists()
    for name in old:
        os.utime(private_evidence_dir / name, (HOURS_AGO, HOURS_AGO))
    fresh = _killed_before_commit(api, payload, private_evidence_dir)  # as if still in flight

    out = io.StringIO()
    call_command("sweep_objection_evidence", stdout=out)
    assert _files(private_evidence_dir) == fresh
    assert "删除未提交的暂存文件 2 个" in out.getvalue()


def test_the_sweep_moves_in_a_committed_file_that_never_moved(
    client, api, payload, private_evidence_dir
):
    """Killed between the commit and the move: the record is there, its file still staged."""
    with mock.patch.object(staging, "promote"):
        assert _post(api, payload, "记录.pdf", PDF_BYTES).status_code == 201
    evidence = ObjectionEvidence.objects.get()
    assert _files(private_evidence_dir) == [f"staging/{evidence.file.name}"]

    assert staging.sweep().moved == 1
    assert _files(private_evidence_dir) == [evidence.file.name]
    handler = get_user_model().objects.create_user("handler", "h@example.invalid", "pw")
    handler.groups.add(Group.objects.get(name="异议处理"))
    client.force_login(handler)
    download = client.get(f"/admin/objections/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_the_sweep_removes_old_files_no_record_points_at(api, payload, private_evidence_dir):
    assert _post(api, payload, "记录.pdf", PDF_BYTES).status_code == 201
    kept = ObjectionEvidence.objects.get().file.name
    orphan = private_evidence_dir / "objections/2025/01/feedface.pdf"
    fresh_orphan = private_evidence_dir / "objections/2026/03/c0ffee.pdf"  # a commit under way
    for path in (orphan, fresh_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF_BYTES)
    for path in (orphan, private_evidence_dir / kept):
        os.utime(path, (HOURS_AGO, HOURS_AGO))

    report = staging.sweep()
    assert (report.orphans_removed, report.staged_removed, report.moved) == (1, 0, 0)
    assert _files(private_evidence_dir) == sorted([kept, "objections/2026/03/c0ffee.pdf"])
    assert ObjectionEvidence.objects.get().file.read() == PDF_BYTES
