"""The links in alert mails: confirm, manage, unsubscribe. Each is the subscription's public id
signed with SECRET_KEY for its purpose (Django's ``Signer``, HMAC-SHA256, a salt per purpose):
nothing secret is stored, the database alone gives no working link, a link made for one purpose
opens nothing else, and the same link can be made again for every mail, as an unsubscribe link
in each alert must be. Keys in SECRET_KEY_FALLBACKS still verify after a rotation. A link dies
with its subscription (unsubscribed, or never confirmed and expired); a new subscription of the
same address has a new public id.

A confirmation link also expires ``ALERTS_CONFIRM_DAYS`` after its mail was queued: that is
decided on the subscription's own dates (:func:`cms.alerts.rules.confirmation_expired`)."""

from django.core import signing

CONFIRM, MANAGE, UNSUBSCRIBE = "confirm", "manage", "unsubscribe"
PURPOSES = (CONFIRM, MANAGE, UNSUBSCRIBE)
SEPARATOR = "."  # not in a public id nor in a signature: the link reads as one word


def _signer(purpose: str) -> signing.Signer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return signing.Signer(salt=f"cms.alerts.{purpose}", sep=SEPARATOR)


def make(public_id: str, purpose: str) -> str:
    return _signer(purpose).sign(public_id)


def read(token: str, purpose: str) -> str | None:
    """The public id a genuine ``purpose`` link names; None for anything else."""
    try:
        return _signer(purpose).unsign(token)
    except signing.BadSignature:
        return None
