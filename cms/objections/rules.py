"""The objection rules as plain Python: states, outcomes, receipts, lookup codes, evidence.
Receipts, lookup codes and phone numbers serve every public submission (comments too).

Whether a notice accepts objections at all is the publicity window's rule, in
:mod:`cms.notices.rules` (``check_objection``); it is not repeated here.
"""

import hashlib
import hmac
import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime

from cms.notices.rules import LabelledEnum, local_date


# fmt: off
class ObjectorType(LabelledEnum):
    INDIVIDUAL = "individual", "个人", "Individual"
    ORGANISATION = "organisation", "单位", "Organisation"


class ObjectionStatus(LabelledEnum):
    RECEIVED = "received", "已受理", "Received"
    INVESTIGATING = "investigating", "调查核实中", "Under investigation"
    ANSWERED = "answered", "已答复", "Answered"


class Outcome(LabelledEnum):
    UPHELD = "upheld", "异议成立", "Upheld"
    NOT_UPHELD = "not_upheld", "异议不成立", "Not upheld"
    # Not examined on its merits (no fact or reason about the item, abuse, a duplicate); the
    # answer gives the reason, and it counts as answered like any other outcome.
    INADMISSIBLE = "inadmissible", "不予受理", "Not admitted"
# fmt: on


LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
LOOKUP_LENGTH = 10
RECEIPT_RE = re.compile(r"^YY\d{8}-[A-Z2-9]{6}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def new_receipt_number(now: datetime, prefix: str = "YY") -> str:
    """受理编号, e.g. ``YY20261125-7K3F9Q``: a prefix naming the kind of submission (YY 异议,
    YJ 意见), the date (Asia/Shanghai) and six random characters."""
    suffix = "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(6))
    return f"{prefix}{local_date(now):%Y%m%d}-{suffix}"


def new_lookup_code(secret: str, idempotency_key: str | None) -> str:
    """The private code that, with the receipt number, shows what became of an objection.

    With an Idempotency-Key the code is derived from it, so a retried submission gets the same
    code back without the code ever being stored in clear; without one it is random.
    """
    if not idempotency_key:
        return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    digest = hmac.new(secret.encode(), idempotency_key.encode(), hashlib.sha256).digest()
    return "".join(LOOKUP_ALPHABET[b % len(LOOKUP_ALPHABET)] for b in digest[:LOOKUP_LENGTH])


def lookup_code_digest(secret: str, code: str) -> str:
    """What is stored of a lookup code: a keyed SHA-256, not the code.

    A lookup code is a random secret of about 50 bits, not a password a person chose, so a slow
    password hash adds nothing against guessing (the lookup is rate-limited and a guess needs the
    receipt number too) while it cost a quarter of a second per objection."""
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def normalise_lookup_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def valid_phone(phone: str) -> bool:
    """Mainland mobile (11 digits from 13–19) or landline with area code, extension optional."""
    return bool(PHONE_RE.match(re.sub(r"[\s()（）]", "", phone or "")))


# --- evidence files -----------------------------------------------------------------------


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


def detect_evidence_type(head: bytes, read_all=None) -> EvidenceType | None:
    """The file's type from its content, never its name. OFD is a ZIP holding ``OFD.xml``."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04") and read_all is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(read_all())) as archive:
                if "OFD.xml" in archive.namelist():
                    return OFD
        except (zipfile.BadZipFile, ValueError):  # ValueError: a member name that will not decode
            return None
    return None
