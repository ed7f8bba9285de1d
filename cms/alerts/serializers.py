"""What the alert API accepts and answers. The address is checked as any submission's is
(cms.submissions.serializers); topics and frequency are enums the OpenAPI document lists."""

from rest_framework import serializers

from cms.submissions.serializers import ConsentField, PlainEmailField

from .rules import Frequency, Topic

TOPICS_HELP = "订阅内容，可多选：" + "；".join(f"{t.value} {t.label}" for t in Topic)
FREQUENCY_HELP = "发送频率：" + "；".join(f"{f.value} {f.label}" for f in Frequency)


class TopicsField(serializers.MultipleChoiceField):
    """Topics as a list (a form sends one value per checked box), one at least; the internal
    value is a list in :class:`Topic` order."""

    default_error_messages = {"topics_required": "choose at least one topic"}

    def __init__(self, **kwargs):
        super().__init__(choices=Topic.choices(), allow_empty=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | tuple) and not data:
            self.fail("topics_required")
        chosen = super().to_internal_value(data)
        return [topic.value for topic in Topic if topic.value in chosen]


class PreferencesSerializer(serializers.Serializer):
    topics = TopicsField(help_text=TOPICS_HELP)
    frequency = serializers.ChoiceField(choices=Frequency.choices(), help_text=FREQUENCY_HELP)


class SubscribeSerializer(PreferencesSerializer):
    email = PlainEmailField(
        max_length=254,
        help_text="接收提醒的电子邮箱；不得含控制字符、零宽字符或文字方向控制字符。"
        "No control, zero-width or bidi character.",
    )
    consent = ConsentField(help_text="已阅读并同意隐私声明（须为 true）")
    website = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True, max_length=0,
        help_text="留空（防自动提交，人工填写者请勿填写；填写即不予受理）",
    )  # fmt: skip


class AcceptedSerializer(serializers.Serializer):
    """The answer to every subscription request, whatever the address's state."""

    status = serializers.ChoiceField(choices=["confirmation_sent"])
    message = serializers.CharField()
    message_en = serializers.CharField()


class SubscriptionStateSerializer(serializers.Serializer):
    """A subscription as its own links show it: the address masked."""

    status = serializers.ChoiceField(choices=["pending", "confirmed", "unsubscribed"])
    email = serializers.CharField(help_text="电子邮箱（部分隐去）")
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices()))
    frequency = serializers.ChoiceField(choices=Frequency.choices(), allow_blank=True)
    message = serializers.CharField()
    message_en = serializers.CharField()
