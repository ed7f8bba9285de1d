"""Rate limits per client address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES):
changing the name or e-mail in the form does not buy a new allowance."""

from rest_framework.throttling import AnonRateThrottle


class ObjectionBurstThrottle(AnonRateThrottle):
    scope = "objection_burst"


class ObjectionSustainedThrottle(AnonRateThrottle):
    scope = "objection_sustained"


class ObjectionLookupThrottle(AnonRateThrottle):
    scope = "objection_lookup"
