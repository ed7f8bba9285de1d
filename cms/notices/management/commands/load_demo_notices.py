from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from cms.notices.demo import load_demo_notices


class Command(BaseCommand):
    help = "创建演示用示例公告（各种状态各一），已存在则不重复创建。"

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(is_superuser=True).first()
        made = load_demo_notices(user)
        if not made:
            self.stdout.write("示例公告已存在，未作改动。")
            return
        now = timezone.now()
        for notice in made:
            self.stdout.write(f"{notice.state_at(now).label}\t{notice.title}")
