"""Rate limits for comments, per client network as for objections (cms.submissions.throttles),
in their own scopes: a flood of comments does not use up anyone's allowance to object, nor the
other way round. A consultation is usually about one draft policy, so the day's allowance per
client network is the cap on that policy too."""

from cms.submissions.throttles import ClientNetworkThrottle, SubmissionThrottle


class CommentThrottle(SubmissionThrottle):
    rate_scopes = ("comment_burst", "comment_sustained")


class CommentLookupThrottle(ClientNetworkThrottle):
    scope = "comment_lookup"
