from django.conf import settings
from django.core.management.base import BaseCommand

from cms.consultation.services import purge_personal_data


class Command(BaseCommand):
    help = (
        "清除保存期限（OBJECTION_RETENTION_DAYS）已满的意见提出人个人信息：答复已满期限的，"
        "以及提交已满期限仍未答复的。"
    )

    def handle(self, *args, **options):
        count = purge_personal_data()
        days = settings.OBJECTION_RETENTION_DAYS
        self.stdout.write(f"已清除 {count} 件意见的个人信息（答复或提交已满 {days} 天）。")
