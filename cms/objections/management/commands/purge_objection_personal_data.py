from django.conf import settings
from django.core.management.base import BaseCommand

from cms.objections.services import purge_personal_data


class Command(BaseCommand):
    help = "清除已答复超过保存期限（OBJECTION_RETENTION_DAYS）的异议人个人信息和证明材料。"

    def handle(self, *args, **options):
        count = purge_personal_data()
        days = settings.OBJECTION_RETENTION_DAYS
        self.stdout.write(f"已清除 {count} 件异议的个人信息（答复已满 {days} 天）。")
