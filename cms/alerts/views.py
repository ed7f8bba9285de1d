"""The alert API (订阅提醒), on the views every public submission shares
(cms.submissions.views): the same error shape, throttles, trap field and body limits; JSON for
clients, a page for a browser (a form posted without JavaScript, a link opened from a mail).

- ``POST subscriptions/``: the same 202 and body whatever the address's state (nothing tells
  whether it was subscribed). Subscribing is idempotent by address, so an Idempotency-Key is
  checked but needs nothing more.
- ``confirm/<token>/``, ``manage/<token>/``, ``unsubscribe/<token>/``: the links in the mails.
  GET shows (a page with a button, for a person), POST acts: a link opened by a mail scanner
  confirms or cancels nothing. ``POST unsubscribe/<token>/`` is RFC 8058's one-click
  unsubscribe: it unsubscribes at once, whatever its body. An address is only ever shown
  masked."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status

from cms.outbox.rules import mask_address
from cms.submissions.errors import ApiError
from cms.submissions.views import (
    IDEMPOTENCY_KEY_PARAMETER,
    NegotiatedAPIView,
    error_responses,
    read_idempotency_key,
    refuse_filled_trap,
)

from . import messages, rules, services, tokens
from .rules import Frequency, Topic
from .serializers import (
    AcceptedSerializer,
    PreferencesSerializer,
    SubscribeSerializer,
    SubscriptionStateSerializer,
)
from .throttles import AlertLinkThrottle, SubscribeThrottle

FIELD_LABELS = {
    "email": ("电子邮箱", "e-mail"),
    "topics": ("订阅内容", "topics"),
    "frequency": ("发送频率", "frequency"),
    "consent": ("同意隐私声明", "consent to the privacy notice"),
}
SUBSCRIBE_ERRORS = {
    400: "invalid (字段有误，见 details：details[].code 如 required, blank, invalid, "
    "invalid_choice, not_a_list, topics_required, consent_required, forbidden_characters, "
    "max_length), malformed, invalid_body, too_many_fields, rejected_automated, "
    "invalid_idempotency_key",
    413: "body_too_large (请求内容超过1MB)",
    415: "unsupported_media_type",
    429: "throttled (附 Retry-After 头)",
}
LINK_ERRORS = {
    400: "invalid (更改订阅时字段有误，见 details), malformed, invalid_body, too_many_fields",
    404: "invalid_link (链接不完整或不正确)",
    410: "link_expired (确认链接已过期，订阅已失效)",
    413: "body_too_large (请求内容超过1MB)",
    415: "unsupported_media_type",
    429: "throttled (附 Retry-After 头)",
}
ACCEPTED = {
    "status": "confirmation_sent",
    "message": "我们已向您填写的邮箱发送一封邮件。如是新的订阅，请打开邮件中的链接确认；确认之前"
    "不会发送任何提醒。如果几分钟内没有收到，请查看垃圾邮件文件夹；同一邮箱每小时最多收到一封"
    "确认邮件。",
    "message_en": "We have sent a message to the address given. If this is a new subscription, "
    "follow the link in it to confirm; nothing is sent before that.",
}
TOKEN_PARAMETER = OpenApiParameter(
    "token", str, OpenApiParameter.PATH, description="邮件中链接所含的签名标识"
)


class AlertView(NegotiatedAPIView):
    field_labels = FIELD_LABELS
    error_template = "alerts/error_page.html"
    error_heading = ("未能处理", "Not done")
    error_advice = "请返回修改后重新提交，或从邮件中重新打开链接。"

    def respond(self, data: dict, status_code: int, **context):
        context.setdefault("subscribe_url", f"{settings.PORTAL_BASE_URL}/subscribe/")
        context.setdefault("confirm_days", settings.ALERTS_CONFIRM_DAYS)
        return super().respond(data, status_code, **context)


class SubscribeView(AlertView):
    throttle_classes = [SubscribeThrottle]
    html_template = "alerts/accepted_page.html"
    error_heading = ("未能订阅", "Not subscribed")
    error_advice = "请使用浏览器的“返回”按钮回到表单修改后重新提交。"

    @extend_schema(
        operation_id="alerts_subscribe",
        summary="订阅电子邮件提醒 Subscribe to e-mail alerts",
        description="提交后发送确认邮件（双重确认：确认前不发送任何提醒）。无论该邮箱是否已订阅，"
        "回应都相同；同一邮箱只有一个订阅。",
        request={
            "application/json": SubscribeSerializer,
            "application/x-www-form-urlencoded": SubscribeSerializer,
            "multipart/form-data": SubscribeSerializer,
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            202: AcceptedSerializer,
            **error_responses(400, 413, 415, 429, described=SUBSCRIBE_ERRORS),
        },
    )
    def post(self, request):
        refuse_filled_trap(request)
        read_idempotency_key(request)  # checked; the address makes a retry harmless anyway
        serializer = SubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.subscribe(data["email"], data["topics"], data["frequency"])
        return self.respond(dict(ACCEPTED), status.HTTP_202_ACCEPTED)


def state_data(subscription, status_value: str, message: str, message_en: str) -> dict:
    if subscription is None:
        return {"status": status_value, "email": "", "topics": [], "frequency": "",
                "message": message, "message_en": message_en}  # fmt: skip
    return {
        "status": status_value,
        "email": mask_address(subscription.email),
        "topics": list(subscription.topics),
        "frequency": subscription.frequency,
        "message": message,
        "message_en": message_en,
    }


class LinkView(AlertView):
    """A link from a mail: its token names a subscription for one purpose."""

    throttle_classes = [AlertLinkThrottle]
    purpose = ""

    def subscription(self, token: str):
        genuine, subscription = services.find(token, self.purpose)
        if not genuine:
            raise ApiError(
                "invalid_link",
                "链接不完整或不正确，请从邮件中完整复制链接后重试。",
                "The link is incomplete or wrong; copy the whole link from the mail.",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        return subscription

    def page_context(self, subscription) -> dict:
        """What the page shows beside the data: the choices, and the other links."""
        context = {
            "topics": list(Topic),
            "frequencies": [(f, messages.frequency_text(f)) for f in Frequency],
            "topics_text": rules.topics_text(subscription.topics) if subscription else "",
            "frequency_text": messages.frequency_text(subscription.frequency)
            if subscription
            else "",
        }
        if subscription is not None:
            context["manage_url"] = messages.link(subscription, tokens.MANAGE)
            context["unsubscribe_url"] = messages.link(subscription, tokens.UNSUBSCRIBE)
        return context


GONE = ("您已退订，邮箱地址已删除。", "You are unsubscribed; your address has been deleted.")


class ConfirmView(LinkView):
    purpose = tokens.CONFIRM
    html_template = "alerts/confirm_page.html"
    error_heading = ("未能确认订阅", "Not confirmed")

    def expired(self):
        raise ApiError(
            "link_expired",
            f"确认链接已过期（有效期{settings.ALERTS_CONFIRM_DAYS}天），请重新订阅。",
            "The confirmation link has expired; subscribe again.",
            status_code=status.HTTP_410_GONE,
        )

    @extend_schema(
        operation_id="alerts_confirm_show",
        summary="查看待确认的订阅 Show a subscription to confirm",
        description="确认邮件中的链接：显示待确认的订阅（邮箱部分隐去），不作确认。",
        parameters=[TOKEN_PARAMETER],
        responses={200: SubscriptionStateSerializer,
                   **error_responses(404, 410, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def get(self, request, token):
        subscription = self.subscription(token)
        if subscription is None:
            self.expired()  # deleted once its link expired
        if subscription.confirmed:
            data = state_data(subscription, "confirmed", "订阅已确认。", "Confirmed.")
        elif rules.confirmation_expired(
            subscription.confirmation_sent_at, timezone.now(),
            settings.ALERTS_CONFIRM_DAYS,
        ):  # fmt: skip
            self.expired()
        else:
            data = state_data(subscription, "pending", "请确认订阅。", "Please confirm.")
        return self.respond(data, status.HTTP_200_OK, **self.page_context(subscription))

    @extend_schema(
        operation_id="alerts_confirm",
        summary="确认订阅 Confirm a subscription",
        description="确认订阅；此后按所选频率发送提醒。重复确认结果相同。",
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: SubscriptionStateSerializer,
                   **error_responses(404, 410, 413, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def post(self, request, token):
        subscription = self.subscription(token)
        if subscription is None:
            self.expired()
        try:
            services.confirm(subscription)
        except services.LinkExpired:
            self.expired()
        data = state_data(
            subscription, "confirmed",
            "订阅已确认。有新内容时，我们将按您选择的频率发送提醒。",
            "Confirmed. Alerts will be sent as you chose.",
        )  # fmt: skip
        return self.respond(data, status.HTTP_200_OK, **self.page_context(subscription))


class ManageView(LinkView):
    purpose = tokens.MANAGE
    html_template = "alerts/manage_page.html"
    error_heading = ("未能更改订阅", "Not changed")

    def gone(self):
        data = state_data(None, "unsubscribed", *GONE)
        return self.respond(data, status.HTTP_200_OK, **self.page_context(None))

    @extend_schema(
        operation_id="alerts_manage_show",
        summary="查看订阅 Show a subscription",
        description="提醒邮件中的“更改订阅”链接：显示当前订阅内容和频率（邮箱部分隐去）。",
        parameters=[TOKEN_PARAMETER],
        responses={200: SubscriptionStateSerializer,
                   **error_responses(404, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def get(self, request, token):
        subscription = self.subscription(token)
        if subscription is None:
            return self.gone()
        state = "confirmed" if subscription.confirmed else "pending"
        data = state_data(subscription, state, "当前订阅如下。", "Your subscription.")
        return self.respond(data, status.HTTP_200_OK, **self.page_context(subscription))

    @extend_schema(
        operation_id="alerts_manage",
        summary="更改订阅内容或频率 Change topics or frequency",
        description="改为每日汇总的，从此刻起汇总。无需账号：链接即凭证。",
        parameters=[TOKEN_PARAMETER],
        request={
            "application/json": PreferencesSerializer,
            "application/x-www-form-urlencoded": PreferencesSerializer,
            "multipart/form-data": PreferencesSerializer,
        },
        responses={200: SubscriptionStateSerializer,
                   **error_responses(400, 404, 413, 415, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def post(self, request, token):
        subscription = self.subscription(token)
        if subscription is None:
            return self.gone()
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.update(subscription, data["topics"], data["frequency"])
        state = "confirmed" if subscription.confirmed else "pending"
        data = state_data(subscription, state, "订阅已更改。", "Your subscription is changed.")
        context = {**self.page_context(subscription), "saved": True}
        return self.respond(data, status.HTTP_200_OK, **context)


class UnsubscribeView(LinkView):
    purpose = tokens.UNSUBSCRIBE
    html_template = "alerts/unsubscribe_page.html"
    error_heading = ("未能退订", "Not unsubscribed")

    @extend_schema(
        operation_id="alerts_unsubscribe_show",
        summary="退订确认页 Ask before unsubscribing",
        description="提醒邮件中的退订链接：显示退订确认页，不作退订。",
        parameters=[TOKEN_PARAMETER],
        responses={200: SubscriptionStateSerializer,
                   **error_responses(404, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def get(self, request, token):
        subscription = self.subscription(token)
        if subscription is None:
            data = state_data(None, "unsubscribed", *GONE)
        else:
            state = "confirmed" if subscription.confirmed else "pending"
            data = state_data(subscription, state, "确认退订吗？", "Unsubscribe this address?")
        return self.respond(data, status.HTTP_200_OK, **self.page_context(subscription))

    @extend_schema(
        operation_id="alerts_unsubscribe",
        summary="退订（RFC 8058 一键退订） Unsubscribe (one-click, RFC 8058)",
        description="立即退订并删除邮箱地址；请求内容（如 List-Unsubscribe=One-Click）不影响"
        "结果。Unsubscribes at once, whatever the body.",
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: SubscriptionStateSerializer,
                   **error_responses(404, 413, 429, described=LINK_ERRORS)},
    )  # fmt: skip
    def post(self, request, token):
        subscription = self.subscription(token)
        if subscription is not None:
            services.unsubscribe(subscription)
        data = state_data(None, "unsubscribed", *GONE)
        return self.respond(data, status.HTTP_200_OK, **self.page_context(None))


class NotFoundView(AlertView):
    """Any other address under a link's path (a link cut short, a token with a slash): the
    same JSON 404 as a wrong link, never the site's HTML page."""

    throttle_classes = [AlertLinkThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise ApiError(
            "invalid_link",
            "链接不完整或不正确，请从邮件中完整复制链接后重试。",
            "The link is incomplete or wrong; copy the whole link from the mail.",
            status_code=status.HTTP_404_NOT_FOUND,
        )
