"""The clock of the publicity lifecycle: run it from cron (or with --every in the embedded mode).

Each run holds back approved notices whose start date passed before they went live (they need
re-approval with a fresh window), publishes those whose go-live has come (Wagtail's
``publish_scheduled``, through the same guards), records and
audits the state changes that time brought (a window opening or closing at midnight,
Asia/Shanghai), and asks for a portal rebuild when anything changed or the date turned.

It is also the minute of the mail: e-mail alerts a lost task left unqueued, the daily digests
when their time comes, unconfirmed subscriptions past their link (cms.alerts), and any mail due
that no worker was asked to send (cms.outbox).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from cms.alerts import services as alerts
from cms.core.models import PortalBuild
from cms.core.tasks import request_portal_rebuild
from cms.domain.dates import local_date
from cms.notices.services import hold_late_scheduled, record_state_changes
from cms.outbox import services as outbox


def run_once(now=None) -> list[str]:
    """One tick; returns what it did, for the log."""
    now = now or timezone.now()
    done = [f"{notice.notice_number}: 须重新审定" for notice in hold_late_scheduled(now)]
    call_command("publish_scheduled", verbosity=0)
    changed = record_state_changes(now)
    done += [f"{notice.notice_number}: {notice.recorded_state}" for notice in changed]
    last = PortalBuild.objects.order_by("-requested_at").first()
    date_turned = last is None or local_date(last.requested_at) < local_date(now)
    if changed or date_turned:
        reason = "公示状态变化" if changed else "日期变更（北京时间零时）"
        request_portal_rebuild(reason)
        done.append(f"rebuild requested: {reason}")
    done += alerts.sweep(now)
    done += outbox.sweep(now)
    return done


class Command(BaseCommand):
    help = (
        "发布到期的公告、记录公示状态变化（北京时间零时）并请求重建门户；发送到期的订阅提醒和邮件。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="repeat every N seconds (0: run once)"
        )

    def handle(self, *args, every=0, **options):
        while True:
            for line in run_once():
                self.stdout.write(line)
            if not every:
                return
            time.sleep(every)
