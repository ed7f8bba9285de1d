from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cms.lessons.demo import load_demo_lessons


class Command(BaseCommand):
    help = "创建演示用示例失败经验总结（已脱敏，标注【示例】），已存在则不重复创建。"

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(is_superuser=True).first()
        made = load_demo_lessons(user)
        if not made:
            self.stdout.write("示例失败经验总结已存在，未作改动。")
            return
        for lesson in made:
            self.stdout.write(f"已发布\t{lesson.title}")
