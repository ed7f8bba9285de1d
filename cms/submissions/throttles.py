"""Rate limits per client network, for every public submission: changing the name or e-mail in
the form does not buy a new allowance, nor does a forged X-Forwarded-For header or a fresh
address from the same IPv6 /64 (who the client is: :mod:`cms.core.clients`).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from cms.core.clients import client_address, network_of

from . import counters, limits


class ClientNetworkThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, counting per client network (see the module's docstring)."""

    def get_ident(self, request) -> str:
        address = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.headers.get("X-Forwarded-For"),
            api_settings.NUM_PROXIES,
        )
        return network_of(address)


class SubmissionThrottle(ClientNetworkThrottle):
    """Several rates (a burst and a day's allowance) per client network, each counted in fixed
    windows in the database (:mod:`cms.submissions.limits`, :mod:`cms.submissions.counters`):
    every worker shares the counts, and counting all the rates takes one statement. A refused
    attempt is taken back (a second statement), so a flood refused by the burst rate does not
    use up the day's allowance. ``rate_scopes`` names the rates in ``DEFAULT_THROTTLE_RATES``."""

    rate_scopes: tuple[str, ...] = ()

    def __init__(self):
        self.rates = [
            limits.Rate(*self.parse_rate(self.THROTTLE_RATES[scope])) for scope in self.rate_scopes
        ]
        self._wait: float | None = None

    def counter_key(self, scope: str, request) -> str:
        """What one rate counts under: its scope and the client network."""
        return f"{scope}:{self.get_ident(request)}"

    def windows(self, request, now: float) -> list[limits.Window]:
        """This request's window of each rate."""
        return [
            limits.window_at(self.counter_key(scope, request), rate, now)
            for scope, rate in zip(self.rate_scopes, self.rates, strict=True)
        ]

    def allow_request(self, request, view):
        now = self.timer()
        windows = self.windows(request, now)
        self._wait = limits.refusal_wait(windows, counters.count(windows, now), now)
        if self._wait is None:
            return True
        counters.take_back(windows)
        return False

    def wait(self):
        return self._wait
