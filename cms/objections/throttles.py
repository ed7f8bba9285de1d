"""Rate limits for objections, per client network (:mod:`cms.submissions.throttles`): a burst
and a day's allowance over every notice, a lookup rate, and a cap per notice.

Filing an objection is counted by the view once the posted item is known, all three limits in
one statement (:func:`count_objection`), not by a DRF throttle before the body is read; a
request refused before that is counted by :func:`count_refused_objection`.
"""

import math

from rest_framework.exceptions import Throttled

from cms.submissions import counters, limits
from cms.submissions.errors import ApiError
from cms.submissions.throttles import ClientNetworkThrottle, SubmissionThrottle


class ObjectionThrottle(SubmissionThrottle):
    """A burst and a day's allowance per client network over every notice. The day's allowance
    is generous (a campus or company behind one NAT address shares it); what stops a flood
    aimed at one notice is :class:`NoticeCapThrottle`."""

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
    """At most ``objection_per_notice`` objections per client network to one notice."""

    rate_scopes = ("objection_per_notice",)

    def __init__(self, notice_id: int):
        super().__init__()
        self.notice_id = notice_id

    def counter_key(self, scope: str, request) -> str:
        return f"{scope}:{self.notice_id}@{self.get_ident(request)}"


def count_objection(request, notice_id: int) -> None:
    """Counts an objection to ``notice_id`` whose fields are valid against the client's burst,
    its day's allowance and its cap on that notice, in one statement; or raises a 429:
    ``Throttled`` when the burst or the day's allowance is used up (they come first),
    :class:`NoticeCapReached` when only the cap is. A refused objection is taken back from the
    limits that refused it and those checked after them: refused by the client's allowance it
    counts nowhere; refused by the cap alone it still counts toward the burst and the day, as
    every request to the API does. The view counts in the transaction that stores the
    objection, which commits the count whether the objection is stored or refused
    (:func:`cms.submissions.views.committed_even_if_refused`)."""
    client, cap = ObjectionThrottle(), NoticeCapThrottle(notice_id)
    now = client.timer()
    client_windows, cap_windows = client.windows(request, now), cap.windows(request, now)
    counts = counters.count([*client_windows, *cap_windows], now)
    client_counts, cap_counts = counts[: len(client_windows)], counts[len(client_windows) :]
    if (wait := limits.refusal_wait(client_windows, client_counts, now)) is not None:
        counters.take_back([*client_windows, *cap_windows])
        raise Throttled(wait)
    if (wait := limits.refusal_wait(cap_windows, cap_counts, now)) is not None:
        counters.take_back(cap_windows)
        raise NoticeCapReached(wait, cap.rates[0].limit)


def count_refused_objection(request) -> None:
    """Counts a request refused before its item was known (a broken body, a field missing, an
    item that does not exist) toward the client's burst and day's allowance, not a cap (it
    names no notice); raises ``Throttled``, a 429 in place of its 400 or 404, once they are used
    up. A flood of bad bodies is thus limited as a flood of objections is, at one statement
    each. A DRF throttle counting every request before the body is read would do the same for
    bad bodies, but cost a good objection a second statement for its cap."""
    throttle = ObjectionThrottle()
    if not throttle.allow_request(request, view=None):
        raise Throttled(throttle.wait())
