"""Rate limits for comments, per client address as for objections, in their own scopes: a
flood of comments does not use up anyone's allowance to object, nor the other way round."""

from rest_framework.throttling import AnonRateThrottle

from cms.objections.throttles import SubmissionThrottle


class CommentThrottle(SubmissionThrottle):
    scope = "comment_submit"
    rate_scopes = ("comment_burst", "comment_sustained")


class CommentLookupThrottle(AnonRateThrottle):
    scope = "comment_lookup"
