"""What every public submission shares, as plain Python: the submitter's type, receipt numbers,
lookup codes, idempotency-key digests, sealing, and phone numbers.

The salts and HKDF infos below name ``cms.objections``, where they began: they key digests
already stored, so they never change."""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.crypto import salted_hmac

from cms.domain.dates import local_date
from cms.domain.labels import LabelledEnum


# fmt: off
class ObjectorType(LabelledEnum):
    INDIVIDUAL = "individual", "个人", "Individual"
    ORGANISATION = "organisation", "单位", "Organisation"
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


# --- lookup codes and idempotency keys ------------------------------------------------------
# A lookup code is random and shown once. What is stored of it is a keyed digest whose key_salt
# names the kind of submission, checked under SECRET_KEY and each SECRET_KEY_FALLBACKS key, so a
# key rotation leaves every code working. For an idempotent replay the code is also stored
# sealed (AES-GCM) under a key derived from the Idempotency-Key, which itself is stored only
# hashed: only the client holding the Idempotency-Key can get the code back.

LOOKUP_DIGEST_PREFIX = "hmac-sha256$"


def new_lookup_code() -> str:
    """The private code that, with the receipt number, shows what became of a submission."""
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def lookup_code_digest(kind: str, code: str, secret: str) -> str:
    """What is stored of a lookup code: a keyed SHA-256 (``salted_hmac``), not the code.

    A lookup code is a random secret of about 50 bits, not a password a person chose, so a slow
    password hash adds nothing against guessing (the lookup is rate-limited and a guess needs the
    receipt number too) while it cost a quarter of a second per objection."""
    mac = salted_hmac(f"cms.objections.lookup-code.{kind}", code, secret=secret, algorithm="sha256")
    return LOOKUP_DIGEST_PREFIX + mac.hexdigest()


def legacy_lookup_code_digest(secret: str, code: str) -> str:
    """The digest stored before migration 0004 (a plain HMAC, the same for every kind). Codes are
    not known, so those rows cannot be converted: they are checked this way, as a fallback."""
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def lookup_code_matches(kind: str, code: str, stored: str, keys: Sequence[str]) -> bool:
    """Whether ``stored`` was made from ``code`` under any of ``keys`` (SECRET_KEY, then its
    fallbacks). Constant-time, and every key is tried, whichever matches."""
    if stored.startswith(LOOKUP_DIGEST_PREFIX):
        candidates = [lookup_code_digest(kind, code, key) for key in keys]
    else:
        candidates = [legacy_lookup_code_digest(key, code) for key in keys]
    results = [hmac.compare_digest(stored.encode(), given.encode()) for given in candidates]
    return any(results)


def idempotency_key_digest(kind: str, idempotency_key: str) -> str:
    """What is stored of an Idempotency-Key: its SHA-256 behind a prefix naming the kind, so an
    objection's key never finds a comment. The key is a random token of the client's (the portal
    sends a UUID), so an unkeyed hash is enough to keep it from being read back."""
    return hashlib.sha256(f"{kind}:idempotency-key:{idempotency_key}".encode()).hexdigest()


def keyed_payload_digest(content_sha256: str, secret: str) -> str:
    """What is stored of a submission's content (the SHA-256 of its fields and files): keyed, so
    that without the key it confirms no guessed identity; the key runs over the SHA-256, which is
    what rows before migration 0004 held, so that migration could key them in place."""
    salt = "cms.objections.services.payload_digest"
    return salted_hmac(salt, content_sha256, secret=secret, algorithm="sha256").hexdigest()


def _sealing_key(kind: str, idempotency_key: str) -> bytes:
    info = f"cms.objections.lookup-code-seal.{kind}".encode()
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(
        idempotency_key.encode()
    )


def seal_lookup_code(kind: str, code: str, idempotency_key: str) -> str:
    """The code encrypted (AES-GCM) under a key derived from the Idempotency-Key and the kind."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_sealing_key(kind, idempotency_key)).encrypt(nonce, code.encode(), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal_lookup_code(kind: str, sealed: str, idempotency_key: str) -> str | None:
    """The code sealed with this Idempotency-Key for this kind; None for any other key or kind."""
    if not sealed:
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed)
        code = AESGCM(_sealing_key(kind, idempotency_key)).decrypt(raw[:12], raw[12:], None)
    except (ValueError, InvalidTag):
        return None
    return code.decode("ascii")


def normalise_lookup_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def valid_phone(phone: str) -> bool:
    """Mainland mobile (11 digits from 13–19) or landline with area code, extension optional."""
    return bool(PHONE_RE.match(re.sub(r"[\s()（）]", "", phone or "")))
