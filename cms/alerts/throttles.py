"""Rate limits for alerts, per client network (cms.submissions.throttles), in their own scopes:
subscription requests (each may mail a confirmation) and the links in alert mails."""

from cms.submissions.throttles import ClientNetworkThrottle, SubmissionThrottle


class SubscribeThrottle(SubmissionThrottle):
    rate_scopes = ("alert_burst", "alert_sustained")


class AlertLinkThrottle(ClientNetworkThrottle):
    """Confirm, manage and unsubscribe links. One-click unsubscribes come from mail providers'
    servers, many subscribers behind one address: the rate is generous."""

    scope = "alert_link"
