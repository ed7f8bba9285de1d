"""Rate limits per client network, for every public submission: changing the name or e-mail in
the form does not buy a new allowance, nor does a forged X-Forwarded-For header or a fresh
address from the same IPv6 /64 (who the client is: :mod:`cms.core.clients`).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from cms.core.clients import client_address, network_of


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
    """Several rates (a burst and a day's allowance) checked against one history per client.

    DRF's throttles keep one cache entry per rate, so two rates cost two reads and two writes
    of the shared cache on every submission; here they cost one of each. ``scope`` names the
    cache entry, ``rate_scopes`` the rates in ``DEFAULT_THROTTLE_RATES``.
    """

    rate_scopes: tuple[str, ...] = ()

    def __init__(self):
        self.rates = [self.parse_rate(self.THROTTLE_RATES[scope]) for scope in self.rate_scopes]
        # The history is kept as long as the longest window, as many entries as the most any
        # window allows: enough to decide every rate.
        self.duration = max(duration for _num, duration in self.rates)
        self.num_requests = max(num for num, _duration in self.rates)
        self._wait: float | None = None

    def allow_request(self, request, view):
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])  # newest first
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        waits = [
            self.history[num - 1] + duration - self.now
            for num, duration in self.rates
            if sum(1 for at in self.history[:num] if at > self.now - duration) >= num
        ]
        if waits:
            self._wait = max(waits)
            return False
        self.history = [self.now, *self.history][: self.num_requests]
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self):
        return self._wait
