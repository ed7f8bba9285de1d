"""Rate limits for objections, per client network (:mod:`cms.submissions.throttles`): a burst
and a day's allowance over every notice, a lookup rate, and a cap per notice.
"""

import math

from rest_framework.exceptions import Throttled

from cms.submissions.errors import ApiError
from cms.submissions.throttles import ClientNetworkThrottle, SubmissionThrottle


class ObjectionThrottle(SubmissionThrottle):
    """A burst and a day's allowance per client network over every notice. The day's allowance
    is generous (a campus or company behind one NAT address shares it); what stops a flood
    aimed at one notice is :class:`NoticeCapThrottle`."""

    scope = "objection_submit"
    rate_scopes = ("objection_burst", "objection_sustained")


class ObjectionLookupThrottle(ClientNetworkThrottle):
    scope = "objection_lookup"


class NoticeCapReached(ApiError, Throttled):
    """429 for a client at its cap on one notice: an ApiError, so it keeps its own code and
    messages in the shared error shape, and a Throttled, so the response carries Retry-After."""

    def __init__(self, wait: float, limit: int):
        Throttled.__init__(self, wait)
        self.status_code = Throttled.status_code
        self.code, self.field = "notice_limit_reached", "item"
        zh, en = _duration_in_words(self.wait)
        self.message = (
            f"您对该公告提出的异议已达{limit}件的上限，请{zh}后再提出；对其他公告提出异议不受影响。"
        )
        self.message_en = (
            f"You have reached the limit of {limit} objections to this notice; try again in "
            f"{en}. Objections to other notices are not affected."
        )


def _duration_in_words(seconds: int) -> tuple[str, str]:
    """A wait in the largest whole unit that fits, rounded up: 约3小时 / about 3 hours."""
    for unit, zh, en in ((3600, "小时", "hours"), (60, "分钟", "minutes")):
        if seconds >= unit:
            return f"约{math.ceil(seconds / unit)}{zh}", f"about {math.ceil(seconds / unit)} {en}"
    return f"{seconds}秒", f"{seconds} seconds"


class NoticeCapThrottle(SubmissionThrottle):
    """At most ``objection_per_notice`` objections per client network to one notice.

    The notice is known only once the posted item has been validated, and DRF runs throttles
    before the view has parsed anything. Peeking at the body in a throttle would parse it early
    (a broken body would then be read as an empty one, and a large upload be read before the
    size check), so the view calls :meth:`check` after validation instead, with the same cache.
    Every validated attempt counts, as every request counts for the other limits.
    """

    scope = "objection_notice"
    rate_scopes = ("objection_per_notice",)

    def __init__(self, notice_id: int):
        super().__init__()
        self.notice_id = notice_id

    def get_cache_key(self, request, view):
        ident = f"{self.notice_id}@{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def check(self, request) -> None:
        """Counts this attempt, or raises :class:`NoticeCapReached` (429)."""
        if not self.allow_request(request, view=None):
            raise NoticeCapReached(self.wait(), self.rates[0][0])
