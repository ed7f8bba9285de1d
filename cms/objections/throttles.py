"""Rate limits per client address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES):
changing the name or e-mail in the form does not buy a new allowance."""

from rest_framework.throttling import AnonRateThrottle


class SubmissionThrottle(AnonRateThrottle):
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


class ObjectionThrottle(SubmissionThrottle):
    scope = "objection_submit"
    rate_scopes = ("objection_burst", "objection_sustained")


class ObjectionLookupThrottle(AnonRateThrottle):
    scope = "objection_lookup"
