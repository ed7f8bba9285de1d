"""Rate limits for comments, per client address as for objections, in their own scopes: a
flood of comments does not use up anyone's allowance to object, nor the other way round."""

from rest_framework.throttling import AnonRateThrottle


class CommentBurstThrottle(AnonRateThrottle):
    scope = "comment_burst"


class CommentSustainedThrottle(AnonRateThrottle):
    scope = "comment_sustained"


class CommentLookupThrottle(AnonRateThrottle):
    scope = "comment_lookup"
