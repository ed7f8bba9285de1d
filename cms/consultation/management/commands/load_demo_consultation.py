"""Opens a comment window around today on the seed policy (a draft for comments), so that the
demo portal shows the comment form. Runs after load_seed_policy; running it again changes
nothing while a window is set (``--reopen`` moves it around today again)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cms.domain.dates import format_date_zh, local_date
from cms.policies.models import PolicyPage, PolicyStatus

SEED_SLUG = "exemption-policy"
DAYS_BEFORE, DAYS_AFTER = 7, 23  # a 31-day window, today included


class Command(BaseCommand):
    help = "为种子政策文件（征求意见稿）设置包含今天的征求意见期（演示用，幂等）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reopen", action="store_true", help="已设置的征求意见期也改为包含今天"
        )

    @transaction.atomic
    def handle(self, *args, reopen=False, **options):
        policy = PolicyPage.objects.filter(slug=SEED_SLUG).first()
        if policy is None:
            raise CommandError("未找到种子政策文件，请先运行 load_seed_policy。")
        if policy.status != PolicyStatus.DRAFT_FOR_COMMENTS:
            self.stdout.write(f"政策文件不是征求意见稿，未设置征求意见期：{policy.title}")
            return
        if policy.comments_open_on and not reopen:
            self.stdout.write(f"征求意见期已设置，未作改动：{policy.comment_window['dates_zh']}")
            return
        today = local_date(timezone.now())
        policy.comments_open_on = today - datetime.timedelta(days=DAYS_BEFORE)
        policy.comments_close_on = today + datetime.timedelta(days=DAYS_AFTER)
        policy.full_clean()
        policy.save_revision().publish()
        self.stdout.write(
            self.style.SUCCESS(
                f"已设置征求意见期：{format_date_zh(policy.comments_open_on)}至"
                f"{format_date_zh(policy.comments_close_on)}"
            )
        )
