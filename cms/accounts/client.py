"""The client's address for login lockouts, taken as the public APIs' rate limits take it."""

from django.conf import settings
from django.http import HttpRequest

from cms.core.clients import client_address as address_of
from cms.core.clients import network_of


def client_address(request: HttpRequest) -> str | None:
    """The address (see :mod:`cms.core.clients`), an IPv6 client as the first address of its
    /64: a lockout holds across the addresses one subscriber is given."""
    remote_addr = request.META.get("REMOTE_ADDR")
    if not remote_addr:
        return None
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    address = address_of(remote_addr, forwarded_for, getattr(settings, "NUM_PROXIES", None))
    return network_of(address).partition("/")[0]
